"""The demo alliance's instrument-sharing chain, as plain data: loaded by ``seed_demo``
with bookings.demo_data. Asset data and qualifications (issue 10), the service modes
(self-use, assisted use with its operators, sample submission: 送样检测), some assisted
bookings and sample orders, and a quota (issue 12). Plausible, not the units' own terms.
"""

from __future__ import annotations

# --- Asset data and qualifications (issue 10) ---------------------------------------------
# The main instrument of each large-instrument resource of 深圳湾实验室 and 深理工, for the
# open-sharing assessment: (asset number, original value in yuan, purchase date,
# classification code, classification name, specialised). Plausible figures, not the
# units' books. Applied when the seed creates the resource; edits are left alone after.

ASSETS = {
    "冷冻电镜平台": (
        "SZBL-2021-EM-0001",
        "45000000.00",
        "2021-06-18",
        "0101",
        "分析仪器/电子光学仪器（300 kV 冷冻透射电镜 Titan Krios G4）",
        False,
    ),
    "质谱平台": (
        "SZBL-2021-MS-0003",
        "6200000.00",
        "2021-09-02",
        "0102",
        "分析仪器/质谱仪器（Orbitrap Exploris 480 高分辨质谱）",
        False,
    ),
    "科研大装置": (
        "SZBL-2022-BF-0001",
        "38000000.00",
        "2022-03-30",
        "0101",
        "分析仪器/电子光学仪器（聚焦离子束双束电镜与冷冻光电关联系统）",
        True,
    ),
    "单细胞技术平台": (
        "SZBL-2021-SC-0002",
        "3600000.00",
        "2021-11-15",
        "0110",
        "分析仪器/生化分离分析仪器（单细胞分选与文库制备系统）",
        True,
    ),
    "生物成像平台": (
        "SZBL-2022-IM-0004",
        "5800000.00",
        "2022-05-20",
        "0108",
        "分析仪器/显微镜及图像分析仪器（转盘共聚焦与超分辨显微镜）",
        False,
    ),
    "基因测序平台": (
        "SZBL-2021-GS-0001",
        "9200000.00",
        "2021-08-09",
        "0110",
        "分析仪器/生化分离分析仪器（高通量基因测序仪 NovaSeq 6000）",
        False,
    ),
    "新药筛选平台": (
        "SZBL-2022-DS-0002",
        "7600000.00",
        "2022-07-12",
        "0108",
        "分析仪器/显微镜及图像分析仪器（高内涵成像筛选系统）",
        True,
    ),
    "电子显微镜公共实验室": (
        "SUAT-2023-EM-0001",
        "21000000.00",
        "2023-04-26",
        "0101",
        "分析仪器/电子光学仪器（200 kV 场发射透射电镜）",
        False,
    ),
    "核磁共振波谱实验室": (
        "SUAT-2023-NMR-0002",
        "12500000.00",
        "2023-06-08",
        "0106",
        "分析仪器/波谱仪器（600 MHz 核磁共振波谱仪）",
        False,
    ),
    "流式细胞分析实验室": (
        "SUAT-2023-FC-0003",
        "4300000.00",
        "2023-09-14",
        "0110",
        "分析仪器/生化分离分析仪器（光谱型流式细胞分析仪）",
        False,
    ),
}
ASSET_FIELDS = (
    "asset_number",
    "original_value",
    "purchase_date",
    "classification_code",
    "classification_name",
    "specialised",
)

#: Instruments members use on their own only after training: (valid days, idle days).
QUALIFICATION_RULES = {
    "冷冻电镜平台": (365, 90),
    "质谱平台": (365, 180),
}

#: (resource, member, days before today it was asked for, decision): "grant", "schedule",
#: or "" (left for the managers). The members booked below hold their grants.
QUALIFICATIONS = [
    ("冷冻电镜平台", "szlg_zhang", 60, "grant"),
    ("质谱平台", "szlg_zhang", 60, "grant"),
    ("冷冻电镜平台", "szbl_chen", 3, "schedule"),
    ("质谱平台", "szbl_zhao", 1, ""),
]

# --- Service modes (issue 10) -------------------------------------------------------------
# Applied when the seed creates the resource, like the asset data. Operators are demo members
# of the owning unit (bookings.demo_data.MEMBERS).

SERVICE_MODES = {
    "冷冻电镜平台": {
        "offers_assisted": True,
        "assisted_min_notice_minutes": 24 * 60,
        "operators": ["szbl_gong"],
    },
    "质谱平台": {
        "offers_assisted": True,
        "assisted_min_notice_minutes": 4 * 60,
        "offers_samples": True,
        "sample_turnaround_days": 5,
        "sample_instructions": (
            "样品请用1.5 mL离心管分装，每管标注编号与浓度；需冷藏的样品请用冰袋寄送，"
            "并在送样单中写明溶剂与预期分子量范围。"
        ),
        "operators": ["szbl_gong"],
    },
    "基因测序平台": {
        "offers_samples": True,
        "sample_turnaround_days": 10,
        "sample_instructions": "DNA/RNA样品请附浓度与纯度（A260/280）检测结果，干冰运输。",
    },
}

# Assisted bookings (委托上机): (resource, member, days from today, start, minutes, purpose).
# The member need not hold the qualification: the operator runs the instrument for them.
ASSISTED_BOOKINGS = [
    ("冷冻电镜平台", "szbl_chen", 5, "09:00", 240, "委托上机：膜蛋白样品冷冻制样与初筛"),
]

# Sample orders: (resource, requester, sample count, description, decision): "accept",
# "refuse: <reason>", or "" (left for the managers).
SAMPLE_ORDERS = [
    ("质谱平台", "szbl_zhao", 6, "小分子代谢物LC-MS定性分析（血清提取物）", "accept"),
    ("基因测序平台", "sysu_huang", 12, "肿瘤组织全转录组测序（RNA已提取）", ""),
]

# --- Quotas (issue 12) -------------------------------------------------------------------
# (resource, applies to, measure, period, limit): fair use of the scarcest instrument.
QUOTAS = [
    ("冷冻电镜平台", "member", "hours", "week", 24),
]
