"""Bearer tokens encrypted at rest with Fernet; only a hint is ever shown."""

import os
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from scimlink.settings import Settings

KEY_FILE = "secret.key"


class TokenVault:
    """Encrypts tokens with the newest key; decrypts with any configured key."""

    def __init__(self, keys: list[str]) -> None:
        if not keys:
            raise ValueError("at least one key is needed")
        self._fernet = MultiFernet([Fernet(key.encode()) for key in keys])

    def encrypt(self, token: str) -> str:
        return self._fernet.encrypt(token.encode()).decode()

    def decrypt(self, ciphertext: str) -> str:
        try:
            return self._fernet.decrypt(ciphertext.encode()).decode()
        except InvalidToken as exc:
            raise RuntimeError(
                "A connector token cannot be decrypted with the configured "
                "SCIMLINK_SECRET_KEY; restore the key it was saved with."
            ) from exc


def load_vault(settings: Settings) -> TokenVault:
    """Keys from SCIMLINK_SECRET_KEY (comma-separated, newest first), or a key
    generated once into the data directory."""
    if settings.secret_key:
        return TokenVault(
            [k.strip() for k in settings.secret_key.split(",") if k.strip()]
        )
    return TokenVault([_generated_key(settings.data_dir)])


def _generated_key(data_dir: Path) -> str:
    path = data_dir / KEY_FILE
    if path.exists():
        return path.read_text().strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    key = Fernet.generate_key().decode()
    # Create with owner-only permissions; refuse to overwrite a racing writer.
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(key + "\n")
    return key


def token_hint(token: str) -> str:
    """A masked form that lets an admin recognise a token without revealing it."""
    if len(token) <= 8:
        return "••••"
    return f"••••{token[-4:]}"
