"""What an audit row may keep: identifiers masked, inputs hashed under a server secret.

One masking function, :func:`mask_pii`, is applied by :meth:`api.db.database.Database.audit` to everything it
stores, so no caller (router, CLI, error path) can forget it. It masks by shape, not by validity: an ID number with
a wrong check digit is still someone's ID number.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
import stat
from pathlib import Path
from typing import Any

from nlp.identifiers import USCC_ALPHABET

SECRET_FILE_NAME = "audit.key"

# Entity labels (nlp.entities.LABELS) whose text identifies a party: extract rows keep only a masked trace.
IDENTIFIER_LABELS = frozenset({"USCC", "ID_CARD", "PHONE", "PLATE"})
NAME_LABELS = frozenset({"PARTY", "LEGAL_REP"})
ADDRESS_LABELS = frozenset({"ADDRESS", "PLACE"})

_D = "0-9０-９"  # full-width digits too: NFKC happens later in the pipeline, raw text reaches error messages
_A = "0-9A-Za-z０-９Ａ-Ｚａ-ｚ"
_EDGE_L, _EDGE_R = rf"(?<![{_A}.])", rf"(?![{_A}])"
_USCC_CHARS = USCC_ALPHABET + USCC_ALPHABET.lower()
_PATTERNS = [
    # 居民身份证号: 17 digits and a digit or X.
    re.compile(rf"{_EDGE_L}[{_D}]{{17}}[{_D}Xx]{_EDGE_R}"),
    # 统一社会信用代码: 18 characters of its alphabet; _masked() skips runs with fewer than six digits, so that no
    # ordinary word of 18 letters is taken for one.
    re.compile(rf"{_EDGE_L}[{_USCC_CHARS}０-９]{{18}}{_EDGE_R}"),
    # Bank cards and accounts written in groups (6222 0212 3456 7890 123).
    re.compile(rf"{_EDGE_L}[{_D}]{{4}}(?:[ \-][{_D}]{{4}}){{3}}(?:[ \-]?[{_D}]{{1,3}})?{_EDGE_R}"),
    # Any other run of 12+ digits: bank cards (16–19), accounts, the 15-digit legacy ID.
    re.compile(rf"{_EDGE_L}[{_D}]{{12,}}{_EDGE_R}"),
    # Mobile numbers, optionally +86 and separators; landlines with an area code and a dash.
    re.compile(rf"(?<![{_D}])(?:\+?86[ \-]?)?1[3-9][{_D}](?:[ \-]?[{_D}]){{8}}(?![{_D}])"),
    re.compile(rf"(?<![{_D}])0[{_D}]{{2,3}}[\-－][{_D}]{{7,8}}(?![{_D}])"),
]


def _masked(m: re.Match[str]) -> str:
    run = m.group(0)
    return mask_value(run) if sum(c.isdigit() for c in run) >= 6 else run


def mask_value(value: str, head: int = 2, tail: int = 2) -> str:
    """``500112198603143517`` → ``50**************17``: tells records apart, identifies nobody.

    Shorter values keep less: at most a third of the characters stay visible.
    """
    n = len(value)
    head = min(head, n // 3)
    tail = min(tail, max(0, n // 3 - head))
    return value[:head] + "*" * (n - head - tail) + value[n - tail:] if n else value


def mask_text(text: str) -> str:
    """Mask every identifier-shaped run (ID, USCC, bank card, phone) inside free text."""
    for pattern in _PATTERNS:
        text = pattern.sub(_masked, text)
    return text


def _mask_entity(label: str, value: Any) -> Any:
    if not isinstance(value, str):
        return mask_pii(value)
    if label in NAME_LABELS:
        return mask_value(value, head=1, tail=0)  # the surname, or an organisation's first character
    if label in ADDRESS_LABELS:
        return mask_value(value, head=3, tail=0)  # the province or city, never the street or number
    return mask_value(value)


def mask_pii(value: Any) -> Any:
    """A copy of a JSON-like value safe for the audit trail.

    Strings have identifiers masked; a dict that describes an extracted entity (``label`` among the party's
    identifiers, names or addresses) has its ``text``/``value``/``normalized`` masked whole.
    """
    if isinstance(value, str):
        return mask_text(value)
    if isinstance(value, (list, tuple)):
        return [mask_pii(v) for v in value]
    if isinstance(value, dict):
        label = value.get("label")
        personal = isinstance(label, str) and label in IDENTIFIER_LABELS | NAME_LABELS | ADDRESS_LABELS
        return {k: (_mask_entity(label, v) if personal and k in ("text", "value", "normalized", "raw")
                    else mask_pii(v)) for k, v in value.items()}
    return value


def load_or_create_secret(path: Path) -> bytes:
    """The server's audit secret, created (32 random bytes, mode 0600) the first time it is asked for.

    Creation is atomic (written aside, then hard-linked into place), so workers starting together agree on one
    secret. A file readable by others is tightened to 0600.

    Raises:
        OSError: the file cannot be read or created (e.g. a read-only data dir without one).
        ValueError: the file exists but holds no usable secret.
    """
    path = Path(path)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            os.fchmod(fd, 0o600)  # whatever the umask
            os.write(fd, secrets.token_hex(32).encode() + b"\n")
            os.fsync(fd)
        finally:
            os.close(fd)
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass  # another worker won the race: use its secret
        finally:
            tmp.unlink(missing_ok=True)
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        os.chmod(path, 0o600)
    secret = path.read_bytes().strip()
    if len(secret) < 32:
        raise ValueError(f"audit secret {path} is empty or too short; remove it to have a new one made")
    return secret


def keyed_hash(secret: bytes, data: str | bytes) -> str:
    """HMAC-SHA256 of ``data``: an ID number in an input cannot be found by hashing every candidate."""
    return hmac.new(secret, data.encode() if isinstance(data, str) else data, hashlib.sha256).hexdigest()
