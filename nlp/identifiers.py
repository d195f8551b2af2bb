"""Validators for the identifiers that appear in case descriptions (DOMAIN.md R7.2–R7.4).

Each validator normalises its input (full-width → half-width, lower → upper case, separators dropped) and
returns an :class:`IdCheck` instead of raising: an invalid identifier is a *finding* to show the officer
(R7.2 "a failing code is invalid, with the reason"), not an error. Only non-string input raises.

The algorithms come from GB 32100-2015, GB 11714, GB 11643-1999 and GA 36 as summarised in DOMAIN.md;
those standards are not in the bundled corpus (DOMAIN.md §9 item 8), hence the "(verify)" notes.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any, Literal

from nlp.errors import EHError

IdKind = Literal["uscc", "id_card", "plate"]

# --- 统一社会信用代码 (R7.2) -------------------------------------------------------------------------------
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # 31 symbols; I, O, S, V, Z are never used
_USCC_VALUE = {c: i for i, c in enumerate(USCC_ALPHABET)}
USCC_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))  # 1 3 9 27 19 26 16 17 20 29 25 13 8 24 10 30 28
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)  # GB 11714 on positions 9–17

# Position 1 (registration authority) and 1+2 (organisation type) per GB 32100 appendix. (verify)
USCC_AUTHORITIES = {
    "1": "机构编制", "2": "外交", "3": "司法行政", "4": "文化", "5": "民政", "6": "旅游", "7": "宗教",
    "8": "工会", "9": "市场监管(工商)", "A": "中央军委改革和编制办公室", "N": "农业", "Y": "其他",
}
USCC_ORG_TYPES = {
    "11": "机关", "12": "事业单位", "13": "中央编办直接管理机构编制的群众团体", "19": "其他",
    "51": "社会团体", "52": "民办非企业单位", "53": "基金会", "59": "其他",
    "91": "企业", "92": "个体工商户", "93": "农民专业合作社",
}

# --- 居民身份证号 (R7.3) -------------------------------------------------------------------------------------
ID_WEIGHTS = tuple(pow(2, 17 - i, 11) for i in range(17))  # 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2
ID_CHECK_CHARS = "10X98765432"

# --- Plates (R7.4, GA 36) --------------------------------------------------------------------------------
PLATE_PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
PLATE_SUFFIXES = "学警挂港澳领使"
_PLATE_CHAR = "[A-HJ-NP-Z0-9]"  # letters and digits, never I or O
_PLATE_ORDINARY = re.compile(rf"^([{PLATE_PROVINCES}])([A-Z])({_PLATE_CHAR}{{5}})$")
_PLATE_NEW_ENERGY = re.compile(rf"^([{PLATE_PROVINCES}])([A-Z])({_PLATE_CHAR}{{6}})$")
_PLATE_SUFFIXED = re.compile(rf"^([{PLATE_PROVINCES}])([A-Z])({_PLATE_CHAR}{{4}})([{PLATE_SUFFIXES}])$")
_PLATE_EMBASSY = re.compile(r"^使(\d{6})$")  # 使 plates lead with 使 and carry six digits (verify)
_PLATE_SEPARATORS = re.compile(r"[\s·•・.\-－—]")


class IdentifierError(EHError):
    """Bad arguments to a helper (not an invalid identifier, which is reported in :class:`IdCheck`)."""

    code = "bad_identifier_argument"


@dataclass(frozen=True)
class IdCheck:
    """The outcome of validating one identifier.

    Attributes:
        kind: ``uscc``, ``id_card`` or ``plate``.
        raw: the input as given.
        normalized: upper-case, half-width, separators removed.
        valid: False when the identifier fails its standard; ``code``/``message`` say why.
        code: ``ok`` or a stable reason code (e.g. ``bad_check_char``).
        message: a sentence for the officer, in Chinese.
        warnings: non-fatal findings, e.g. ``org_code_check`` for USCC (R7.2 optional second check).
        info: extra facts read off the identifier (sex and birth date for an ID card, plate type…).
    """

    kind: IdKind
    raw: str
    normalized: str
    valid: bool
    code: str
    message: str
    warnings: tuple[str, ...] = ()
    info: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (dates as ISO strings)."""
        d = asdict(self)
        d["warnings"] = list(self.warnings)
        d["info"] = {k: (v.isoformat() if isinstance(v, date) else v) for k, v in self.info.items()}
        return d


def normalize_identifier(s: str) -> str:
    """Full-width → half-width (NFKC), upper case, whitespace dropped."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", s)).upper()


def _fail(kind: IdKind, raw: str, norm: str, code: str, message: str, **info: Any) -> IdCheck:
    return IdCheck(kind, raw, norm, False, code, message, (), dict(info))


# ============================================================ USCC


def uscc_check_char(first17: str) -> str:
    """Check character (position 18) for the first 17 characters of a USCC (GB 32100, R7.2).

    Raises:
        IdentifierError: if ``first17`` is not 17 characters of the USCC alphabet.
    """
    if len(first17) != 17 or any(c not in _USCC_VALUE for c in first17):
        raise IdentifierError(f"need 17 characters of {USCC_ALPHABET}: {first17!r}")
    total = sum(_USCC_VALUE[c] * w for c, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def org_code_check_char(first8: str) -> str:
    """GB 11714 check character for an 8-character organisation code (USCC positions 9–16).

    Raises:
        IdentifierError: if ``first8`` is not 8 characters of the USCC alphabet.
    """
    if len(first8) != 8 or any(c not in _USCC_VALUE for c in first8):
        raise IdentifierError(f"need 8 characters of {USCC_ALPHABET}: {first8!r}")

    def value(c: str) -> int:
        return int(c) if c.isdigit() else ord(c) - ord("A") + 10

    c9 = 11 - sum(value(c) * w for c, w in zip(first8, _ORG_WEIGHTS, strict=True)) % 11
    return {10: "X", 11: "0"}.get(c9, str(c9))


def validate_uscc(raw: str) -> IdCheck:
    """Validate a 统一社会信用代码 (R7.2).

    The GB 11714 check on positions 9–17 is only a warning: codes issued to 个体工商户 and others do not
    always carry a GB 11714-conformant organisation code (verify).
    """
    norm = normalize_identifier(raw)
    if len(norm) != 18:
        return _fail("uscc", raw, norm, "bad_length", f"统一社会信用代码应为18位，实为{len(norm)}位")
    bad = [c for c in norm if c not in _USCC_VALUE]
    if bad:
        return _fail("uscc", raw, norm, "bad_char",
                     f"统一社会信用代码含不允许的字符：{''.join(dict.fromkeys(bad))}（不使用I、O、S、V、Z）")
    expected = uscc_check_char(norm[:17])
    info: dict[str, Any] = {
        "authority": USCC_AUTHORITIES.get(norm[0], "未知"),
        "org_type": USCC_ORG_TYPES.get(norm[:2], "未知"),
        "division_code": norm[2:8],
        "org_code": norm[8:17],
    }
    if norm[17] != expected:
        return IdCheck("uscc", raw, norm, False, "bad_check_char",
                       f"统一社会信用代码校验位错误：第18位应为{expected}，实为{norm[17]}", (), info)
    warnings: list[str] = []
    if not norm[2:8].isdigit():
        warnings.append("division_code_not_numeric")
    org = norm[8:16]
    if not org.isalnum() or org_code_check_char(org) != norm[16]:
        warnings.append("org_code_check")
    return IdCheck("uscc", raw, norm, True, "ok", "校验通过", tuple(warnings), info)


# ============================================================ ID card


def id_check_char(first17: str) -> str:
    """ISO 7064 MOD 11-2 check character for the first 17 digits of a 居民身份证号 (R7.3)."""
    if len(first17) != 17 or not first17.isdecimal():  # not isdigit: it admits ² and ①, which int() rejects
        raise IdentifierError(f"need 17 digits: {first17!r}")
    return ID_CHECK_CHARS[sum(int(c) * w for c, w in zip(first17, ID_WEIGHTS, strict=True)) % 11]


def validate_id_card(raw: str, today: date | None = None, stated_sex: str | None = None) -> IdCheck:
    """Validate an 18-character 居民身份证号 (R7.3).

    Args:
        raw: the number as written; a lower-case ``x`` and full-width digits are accepted.
        today: the date "in the future" is measured against (defaults to today).
        stated_sex: ``男``/``女`` if the text states one; a mismatch with the sequence number is invalid.

    Returns:
        An :class:`IdCheck`; ``info`` has ``birth_date``, ``sex`` and ``address_code`` when readable.
    """
    today = today or date.today()
    norm = normalize_identifier(raw)
    if len(norm) == 15 and norm.isdigit():
        # Legacy numbers follow other rules (R7.3, verify): no check char to verify, so never "valid".
        return _fail("id_card", raw, norm, "legacy_15_digit", "15位旧版身份证号，无校验位，请核对18位号码")
    if len(norm) != 18:
        return _fail("id_card", raw, norm, "bad_length", f"居民身份证号应为18位，实为{len(norm)}位")
    if not norm[:17].isdecimal() or not (norm[17].isdecimal() or norm[17] == "X"):  # decimal: read with int()
        return _fail("id_card", raw, norm, "bad_char", "居民身份证号前17位应为数字，第18位为数字或X")
    seq = int(norm[14:17])
    info: dict[str, Any] = {"address_code": norm[:6], "sex": "男" if seq % 2 else "女"}
    try:
        birth = date(int(norm[6:10]), int(norm[10:12]), int(norm[12:14]))
    except ValueError:
        return IdCheck("id_card", raw, norm, False, "bad_birth_date",
                       f"身份证号中的出生日期{norm[6:14]}不是真实日期", (), info)
    info["birth_date"] = birth
    if birth > today:
        return IdCheck("id_card", raw, norm, False, "future_birth_date",
                       f"身份证号中的出生日期{birth.isoformat()}晚于今天", (), info)
    if birth.year < 1880:
        return IdCheck("id_card", raw, norm, False, "bad_birth_date",
                       f"身份证号中的出生年份{birth.year}不合理", (), info)
    expected = id_check_char(norm[:17])
    if norm[17] != expected:
        return IdCheck("id_card", raw, norm, False, "bad_check_char",
                       f"身份证号校验位错误：第18位应为{expected}，实为{norm[17]}", (), info)
    if stated_sex and stated_sex in "男女" and stated_sex != info["sex"]:
        return IdCheck("id_card", raw, norm, False, "sex_mismatch",
                       f"身份证号顺序码显示性别为{info['sex']}，与所述性别{stated_sex}不符", (), info)
    return IdCheck("id_card", raw, norm, True, "ok", "校验通过", (), info)


# ============================================================ plates


def normalize_plate(raw: str) -> str:
    """Drop separators (``渝A·12345``, ``渝A 12345``, ``渝A-12345``), NFKC, upper-case."""
    return _PLATE_SEPARATORS.sub("", unicodedata.normalize("NFKC", raw)).upper()


def validate_plate(raw: str) -> IdCheck:
    """Check the *shape* of a motor-vehicle plate (R7.4). A plate never proves who owns the vehicle."""
    norm = normalize_plate(raw)
    m = _PLATE_EMBASSY.match(norm)
    if m:
        return IdCheck("plate", raw, norm, True, "ok", "号牌格式正确", (), {"type": "embassy"})
    if not norm or (norm[0] not in PLATE_PROVINCES and norm[0] != "使"):
        return _fail("plate", raw, norm, "bad_province", "号牌首字不是省级简称")
    if len(norm) < 2 or not ("A" <= norm[1] <= "Z"):
        return _fail("plate", raw, norm, "bad_authority_letter", "号牌第二位应为发牌机关代号字母")
    if re.search("[IO]", norm[2:]):
        return _fail("plate", raw, norm, "bad_char", "号牌序号不使用字母I、O")
    if (m := _PLATE_SUFFIXED.match(norm)):
        kinds = {"学": "coach", "警": "police", "挂": "trailer", "港": "hong_kong", "澳": "macao",
                 "领": "consulate", "使": "embassy"}
        return IdCheck("plate", raw, norm, True, "ok", "号牌格式正确", (), {"type": kinds[m.group(4)]})
    if _PLATE_ORDINARY.match(norm):
        return IdCheck("plate", raw, norm, True, "ok", "号牌格式正确", (), {"type": "ordinary"})
    if (m := _PLATE_NEW_ENERGY.match(norm)):
        serial = m.group(3)
        # GA 36-2018: small NEV plates start the serial with D/F, large ones end with it (verify).
        warnings = () if serial[0] in "DF" or serial[-1] in "DF" else ("new_energy_df",)
        return IdCheck("plate", raw, norm, True, "ok", "号牌格式正确（新能源）", warnings, {"type": "new_energy"})
    return _fail("plate", raw, norm, "bad_shape", "号牌格式不符：省简称+字母+5位（新能源6位）或4位+学/警/挂/港/澳/领/使")


def validate(kind: IdKind, raw: str, **kwargs: Any) -> IdCheck:
    """Dispatch to the validator for ``kind``."""
    funcs = {"uscc": validate_uscc, "id_card": validate_id_card, "plate": validate_plate}
    if kind not in funcs:
        raise IdentifierError(f"unknown identifier kind: {kind}")
    return funcs[kind](raw, **kwargs)
