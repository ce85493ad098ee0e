"""Every setting is documented: `chatbi settings` lists each with its variable, default and help."""

from __future__ import annotations

import subprocess
import sys

from service.settings import Settings


def test_chatbi_settings_lists_every_setting_with_a_description():
    done = subprocess.run([sys.executable, "-m", "service.cli", "settings"], capture_output=True, text=True, check=True)
    lines = done.stdout.splitlines()
    variables = [line.split("=", 1)[0] for line in lines[::2]]
    assert len(variables) == len(Settings.model_fields)
    assert "CHATBI_QUERY_MEMORY_MB" in variables and "WECOM_TOKEN" in variables
    assert "CHATBI_QUERY_MEMORY_MB=1024" in lines and "CHATBI_USER_QUERY_SLOTS=2" in lines
    assert all(line.startswith("    ") and line.strip() not in ("", "None") for line in lines[1::2])
