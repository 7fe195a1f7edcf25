"""The README's commands for a newcomer's machine (tasks.py): `python3 tasks.py run` serves the demo until
Ctrl+C, which ends it cleanly; `python3 tasks.py messages` says what it needs when GNU gettext is missing."""

import pytest

import tasks


def test_stopping_tasks_run_with_ctrl_c_ends_cleanly_without_a_traceback(monkeypatch, capsys):
    """A KeyboardInterrupt traceback from subprocess.run would read like a crash to a newcomer."""

    def manage(*args: str) -> None:
        if args[0] == "runserver":
            raise KeyboardInterrupt

    monkeypatch.setattr(tasks, "ensure_environment", lambda: None)
    monkeypatch.setattr(tasks, "manage", manage)
    try:
        result = tasks.run()
    except KeyboardInterrupt:
        pytest.fail("Ctrl+C escaped tasks.run() as a traceback")
    assert result == 0
    assert "Stopped." in capsys.readouterr().out


def test_tasks_messages_without_gnu_gettext_says_how_to_install_it_without_a_traceback(monkeypatch, capsys):
    """R-I18N-1: only collecting strings needs GNU gettext; a machine without it is told what to install, and
    nothing runs (no half-written catalog, no traceback)."""
    ran: list[tuple[str, ...]] = []
    monkeypatch.setattr(tasks, "ensure_environment", lambda: None)
    monkeypatch.setattr(tasks, "manage", lambda *args: ran.append(args))
    monkeypatch.setattr(tasks.shutil, "which", lambda tool: None if tool == "msguniq" else f"/usr/bin/{tool}")

    assert tasks.messages() == 1
    assert ran == []
    error = capsys.readouterr().err
    assert "needs GNU gettext (msguniq not found)" in error
    assert "apt-get install gettext" in error
