"""Asset data of an instrument for the national open-sharing assessment (开放共享评价考核).

The national classification of large research instruments is hierarchical: a two-digit
top-level category, then two digits per level (``01`` 分析仪器, ``0101`` 电子光学仪器,
``010101`` …). The top-level categories are kept here as a small table; deeper codes are
free text checked for shape and for a known top level, and the name is written beside
the code as the catalogue shows it.

定额机时 (expected yearly hours): 1,400 for a general instrument, 800 for a specialised
one, unless the resource sets its own.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

GENERAL_YEARLY_HOURS = 1400
SPECIALISED_YEARLY_HOURS = 800

#: The top-level categories of the national large research instrument classification.
CLASSIFICATION_TOP_LEVEL = {
    "01": "分析仪器",
    "02": "物理性能测试仪器",
    "03": "计量仪器",
    "04": "电子测量仪器",
    "05": "海洋仪器",
    "06": "地球探测仪器",
    "07": "大气探测仪器",
    "08": "特种检测仪器",
    "09": "激光器",
    "10": "工艺试验仪器",
    "11": "计算机及其配套设备",
    "12": "天文仪器",
    "13": "医学科研仪器",
    "14": "核仪器",
    "15": "其他仪器",
}

CLASSIFICATION_CODE_SHAPE = re.compile(r"^(?:\d{2}){1,3}$")


def classification_code_validate(code: str) -> None:
    """Two, four or six digits whose first two name a known top-level category."""
    if not code:
        return
    if not CLASSIFICATION_CODE_SHAPE.match(code) or code[:2] not in CLASSIFICATION_TOP_LEVEL:
        raise ValidationError(
            _("Not a national instrument classification code (e.g. 01, 0101 or 010101)."),
            code="invalid_classification",
        )


def expected_yearly_hours(*, specialised: bool, override: int | None) -> int:
    """The instrument's 定额机时: its own figure, else the default for its kind."""
    if override is not None:
        return override
    return SPECIALISED_YEARLY_HOURS if specialised else GENERAL_YEARLY_HOURS
