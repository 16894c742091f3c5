"""Server configuration (capability, not policy): environment variables with prefix KEFU_."""
