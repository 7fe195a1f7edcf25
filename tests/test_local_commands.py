"""The README's commands for a newcomer's machine (tasks.py): `python3 tasks.py run` serves the demo until
Ctrl+C, which ends it cleanly."""

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
