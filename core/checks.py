"""System checks for what the portal needs from the machine it runs on."""

import shutil
import subprocess

from django.core.checks import Warning, register


def cjk_font_available() -> bool:
    """True when fontconfig knows a font that covers Chinese (needed for PDFs)."""
    if not shutil.which("fc-list"):
        return False
    try:
        out = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return False
    return bool(out.stdout.strip())


@register()
def check_cjk_font(app_configs, **kwargs):  # type: ignore[no-untyped-def]
    if cjk_font_available():
        return []
    return [
        Warning(
            "No Chinese (CJK) font is installed: PDFs would show empty boxes instead of Chinese.",
            hint="Install one, e.g. `apt-get install fonts-noto-cjk`.",
            id="portal.W001",
        )
    ]
