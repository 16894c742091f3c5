"""A second Kefu process for the screening test: marks one conversation a complaint in its own container.

Run as `python -m tests.complaints.screening_process <database_url> <data_dir> <iso time>
<workspace> <conversation>`;
the complaint handler (and its screening, with this process's own near-duplicate index) runs inline here.
"""

from __future__ import annotations

import sys
import uuid
from datetime import datetime
from pathlib import Path

from kefu.config.settings import Settings
from kefu.conversations import service as conversations
from kefu.conversations.schemas import SYSTEM, ComplaintIn
from kefu.core.clock import FrozenClock, use_clock
from kefu.jobs.runtime import RuntimeMode
from kefu.wiring import build_container


def main(database_url: str, data_dir: str, at: str, workspace_id: str, conversation_id: str) -> None:
    """Mark the conversation a complaint at the given time and commit (handlers run inline)."""
    with use_clock(FrozenClock(datetime.fromisoformat(at))):
        settings = Settings(database_url=database_url, data_dir=Path(data_dir), run_worker=False)
        container = build_container(settings, mode=RuntimeMode.INLINE)
        try:
            with container.session_factory() as session:
                conversations.mark_complaint(
                    session,
                    workspace_id=uuid.UUID(workspace_id),
                    conversation_id=uuid.UUID(conversation_id),
                    data=ComplaintIn(is_complaint=True),
                    actor=SYSTEM,
                )
                session.commit()
        finally:
            container.close()


if __name__ == "__main__":
    main(*sys.argv[1:6])
