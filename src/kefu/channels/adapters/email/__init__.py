"""Email: SMTP and IMAP intake, SMTP replies, MIME reading."""
