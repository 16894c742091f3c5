"""`kefu screenshots`: the main console screens of a fresh demo workspace, as PNGs in docs/screenshots/."""

from __future__ import annotations

import re
import tempfile
from collections.abc import Callable
from pathlib import Path

from kefu.config.settings import Settings
from kefu.demo.people import AGENTS
from kefu.demo.plan import DemoSize
from kefu.demo.seed import DEMO_PASSWORD, ensure_demo
from kefu.jobs.runtime import RuntimeMode
from kefu.main import create_app
from kefu.web.livesite import chromium, serving
from kefu.wiring import build_container

WIDE = {"width": 1920, "height": 1080}
LAPTOP = {"width": 1280, "height": 800}
NARROW = {"width": 860, "height": 900}


def take_screenshots(
    out_dir: Path, *, conversations: int = 300, echo: Callable[[str], None] = print
) -> list[Path]:
    """Load a small demo (analysed), serve it, photograph login, inbox, conversation, settings, QA report."""
    out_dir.mkdir(parents=True, exist_ok=True)
    agent = next(a for a in AGENTS if a.login == "tier-1 agent")
    taken: list[Path] = []
    with tempfile.TemporaryDirectory() as data_dir:
        settings = Settings(data_dir=Path(data_dir), run_worker=False)
        container = build_container(settings, mode=RuntimeMode.INLINE)
        from kefu.db.migrate import upgrade

        upgrade(container.engine)
        size = DemoSize(customers=max(20, conversations // 4), conversations=conversations, days=14)
        ensure_demo(container, size=size)
        with serving(create_app(container, start_worker=False)) as url, chromium() as browser:
            context = browser.new_context(viewport=LAPTOP, base_url=url, locale="en-US")
            page = context.new_page()

            def shot(name: str, viewport: dict[str, int] = LAPTOP) -> None:
                page.set_viewport_size(viewport)
                page.wait_for_load_state("networkidle")
                path = out_dir / f"{name}.png"
                page.screenshot(path=str(path), full_page=False)
                taken.append(path)
                echo(f"wrote {path}")

            page.goto("/login")
            shot("login")
            page.get_by_label("Email").fill(agent.email)
            page.get_by_label("Password").fill(DEMO_PASSWORD)
            page.get_by_role("button", name="Log in").click()
            page.wait_for_url(re.compile("/inbox"))
            page.goto("/inbox?view=all")
            shot("inbox-zh", WIDE)
            page.locator("#rows .row-link").first.click()
            page.wait_for_url(re.compile("/conversations/"))
            shot("conversation-zh", WIDE)
            page.goto("/settings")
            page.get_by_label("界面语言").select_option("en")
            page.get_by_role("button", name="保存语言").click()
            shot("settings")
            page.goto("/inbox?view=all")
            shot("inbox")
            page.locator("#rows .row-link").nth(1).click()
            page.wait_for_url(re.compile("/conversations/"))
            shot("conversation", WIDE)
            shot("conversation-laptop", LAPTOP)
            shot("conversation-narrow", NARROW)
            page.goto("/inbox?view=all")
            page.keyboard.press("?")
            shot("shortcuts")
            page.keyboard.press("Escape")
            page.goto("/qa")  # an agent lands on their own QA report
            shot("qa-report", WIDE)
            examples = page.locator(".weak a")
            if examples.count():
                examples.first.click()
                page.wait_for_url(re.compile("/qa/evaluations/"))
                shot("qa-evaluation", WIDE)
            context.close()
        container.close()
    return taken
