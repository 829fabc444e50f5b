"""The demo alliance, as plain data: loaded by ``python manage.py seed_demo``.

Grounded in the report on the Guangming Science City Party-building alliance
(光明科学城党建联合体, ../shared/seeds/004_*.txt): founded in July 2020, 30 key units, 78
shared resources, among them 中国科学院深圳理工大学's shared high-end labs, 深圳湾实验室's
nine research platforms (科研大装置, 单细胞技术平台, 新药筛选平台, …), 光明科学城开发建设署's
"智库+总设计师" platform, the "1+N" Party-building sites (白求恩党群服务中心, 光明青年人才驿站),
the on-site teaching bases at 深圳党史馆 and 方志馆, the 检察官工作室 and the 公共法律服务中心.
The other units and resources are plausible members of the science city, not claims about
real organisations' offers. The instrument chain's data (asset data, qualifications, service
modes, sample orders, quotas) is bookings.demo_instruments', the addresses
bookings.demo_places'. Nothing here is a secret: demo passwords come from the environment
(see the seed_demo command).
"""

from __future__ import annotations

# --- Units: (name, short name, kind, contact) ---------------------------------------------

SECRETARIAT_UNIT = "光明区委组织部"

UNITS = [
    ("中国科学院深圳理工大学", "深理工", "university", "科研与实验室管理处"),
    ("中山大学·深圳", "中大深圳", "university", "实验室与设备管理处"),
    ("深圳湾实验室", "湾实验室", "lab", "公共平台管理部"),
    ("中国科学院深圳先进技术研究院", "深圳先进院", "institute", "大设施运行中心"),
    ("深圳市合成生物学创新研究院", "合成院", "institute", "平台运行部"),
    ("深圳医学科学院", "深圳医科院", "institute", "科研管理部"),
    ("国家超级计算深圳中心", "深圳超算", "institute", "用户服务部"),
    ("深圳先进电子材料国际创新研究院", "电子材料院", "institute", "测试分析中心"),
    ("深圳市光明区人民医院", "区人民医院", "institute", "党委办公室"),
    ("中山大学附属第七医院", "中山七院", "institute", "科研处"),
    ("光明科学城开发建设署", "开发建设署", "government", "综合部"),
    (SECRETARIAT_UNIT, "组织部", "government", "联合体秘书处"),
    ("深圳市光明区科技创新局", "区科创局", "government", "办公室"),
    ("深圳市光明区人民检察院", "区检察院", "government", "检察官工作室"),
    ("深圳市光明区司法局", "区司法局", "government", "公共法律服务科"),
    ("中共深圳市光明区委党校", "区委党校", "government", "教务处"),
    ("深圳市光明区新湖街道党工委", "新湖街道", "government", "党建办"),
    ("深圳市光明区凤凰街道党工委", "凤凰街道", "government", "党建办"),
    ("华侨城（光明）集团", "华侨城光明", "enterprise", "党群工作部"),
    ("TCL华星光电技术有限公司", "TCL华星", "enterprise", "党委工作部"),
    ("深圳迈瑞生物医疗电子股份有限公司", "迈瑞医疗", "enterprise", "光明基地行政部"),
    ("欣旺达电子股份有限公司", "欣旺达", "enterprise", "党委办公室"),
    ("深圳光明科学城发展建设有限公司", "科学城发展公司", "enterprise", "综合管理部"),
    ("深圳农村商业银行光明支行", "农商行光明支行", "enterprise", "人才金融部"),
    ("共青团深圳市光明区委员会", "团区委", "social_organisation", "青年发展部"),
    ("深圳市光明区总工会", "区总工会", "social_organisation", "职工服务中心"),
    ("深圳市光明区科学技术协会", "区科协", "social_organisation", "科普部"),
    ("深圳市光明区妇女联合会", "区妇联", "social_organisation", "家庭发展部"),
    ("深圳市光明区社会组织总会", "社会组织总会", "social_organisation", "秘书处"),
    ("深圳市光明区志愿者联合会", "区义工联", "social_organisation", "志愿服务部"),
]

# --- Weekly opening hours: profile -> [(weekday 0=Monday, start, end)] --------------------
# Lunch breaks are two windows; "00:00" as an end means midnight.


def _days(days, *windows):
    return [(day, start, end) for day in days for start, end in windows]


WEEKDAYS = range(5)
EVERY_DAY = range(7)
TUE_TO_SUN = range(1, 7)

HOURS = {
    "office": _days(WEEKDAYS, ("09:00", "12:00"), ("14:00", "18:00")),
    "consultation": _days(WEEKDAYS, ("09:00", "12:00"), ("14:30", "17:30")),
    "service_centre": _days(EVERY_DAY, ("09:00", "12:00"), ("14:00", "20:00")),
    "exhibition": _days(TUE_TO_SUN, ("09:00", "12:00"), ("14:00", "17:30")),
    "hall": _days(WEEKDAYS, ("08:30", "12:00"), ("14:00", "21:30")),
    "lab": _days(WEEKDAYS, ("08:30", "12:00"), ("13:30", "17:30")),
    "lab_long": _days(WEEKDAYS, ("08:00", "22:00")) + [(5, "09:00", "17:00")],
    "instrument": _days(EVERY_DAY, ("08:00", "22:00")),
    "around_the_clock": _days(EVERY_DAY, ("00:00", "00:00")),
    "weekend_venue": _days(EVERY_DAY, ("09:00", "18:00")),
}

# --- Booking rules -----------------------------------------------------------------------
# profile -> (resource kind, slot, min duration, max duration, notice, days ahead, buffer,
# requires approval), durations in minutes; every resource of a profile has its kind.

RULE_FIELDS = (
    "slot_minutes",
    "min_duration_minutes",
    "max_duration_minutes",
    "min_notice_minutes",
    "max_days_ahead",
    "buffer_minutes",
    "requires_approval",
)
DAY = 24 * 60

# fmt: off
RULES = {
    "meeting_room":  ("venue",     30, 30,  240, 120,     14, 0,  True),   # short notice
    "hall":          ("venue",     30, 60,  480, 2 * DAY, 60, 30, True),   # set-up, clean-up
    "party_site":    ("venue",     30, 60,  240, DAY,     30, 30, True),   # 1+N sites
    "teaching_base": ("venue",     30, 90,  180, 3 * DAY, 60, 30, True),   # guided sessions
    "consultation":  ("venue",     30, 30,  60,  60,      14, 0,  False),  # appointments
    "caravan":       ("venue",     60, 120, 480, 7 * DAY, 90, 60, True),   # a day's outing
    "lab":           ("lab",       60, 60,  480, DAY,     30, 0,  True),
    "instrument":    ("equipment", 30, 30,  240, 120,     14, 30, False),  # self-service
    "platform":      ("equipment", 60, 60,  480, DAY,     30, 60, True),   # staff-run
    "big_facility":  ("equipment", 60, 120, 720, 3 * DAY, 60, 60, True),   # 大装置
    "compute":       ("equipment", 60, 60,  DAY, 30,      14, 0,  False),  # around the clock
    "think_tank":    ("equipment", 60, 60,  180, 3 * DAY, 60, 0,  True),
}
# fmt: on

DESCRIPTIONS = {
    "meeting_room": "成员单位可预约的会议室，配备投影与视频会议设备；经所属单位审核后使用。",
    "hall": "可承办讲座、论坛与主题党日活动，配备音响与直播设备；需提前两天预约并经审核。",
    "party_site": "联合体“1+N”党建阵地，可开展主题党日、组织生活会与志愿服务；经审核后使用。",
    "teaching_base": "联合体挂牌现场教学基地，由讲解员带领参观学习；请提前三天预约。",
    "consultation": "面向科学城单位与科研人员的预约咨询服务，每次半小时至一小时，无需审核。",
    "caravan": "流动式党群服务“大篷车”，进社区、进园区提供关爱帮扶、心理咨询、科普宣传等服务。",
    "lab": "面向成员单位共享的实验室；预约经实验室管理员审核，请遵守实验室安全规定。",
    "instrument": "经培训考核的用户可自助预约使用；每次使用后预留清洁与复位时间。",
    "platform": "由平台技术人员操作或指导使用；预约经平台审核，每次使用后预留校准时间。",
    "big_facility": "重大科研设施机时，需提前三天提交实验方案并经设施用户委员会审核。",
    "compute": "全天候开放的计算资源，按小时预约机时，无需审核。",
    "think_tank": "“智库+总设计师”科研平台：规划、建筑与产业专家团队为成员单位提供咨询。",
}

# --- Resources: unit -> (site, [(name, capacity, rules, hours, room), ...]) ---------------
# Exactly 78 shared resources (the number the alliance published); names are unique across
# the demo so that the lists below can name resources alone. Location = site + room.

RESOURCES = {
    "中国科学院深圳理工大学": (
        "光明科学城 深理工校区",
        [
            ("合成生物学公共实验室", 8, "lab", "lab", "科研楼A栋3层"),
            ("脑科学与神经调控公共实验室", 6, "lab", "lab", "科研楼A栋4层"),
            ("材料表征公共实验室", 6, "lab", "lab_long", "科研楼B栋1层"),
            ("电子显微镜公共实验室", 3, "lab", "lab_long", "科研楼B栋负1层"),
            ("核磁共振波谱实验室", 3, "lab", "lab_long", "科研楼B栋负1层"),
            ("流式细胞分析实验室", 4, "lab", "lab", "科研楼A栋5层"),
            ("光学成像与显微实验室", 4, "lab", "lab", "科研楼A栋5层"),
            ("分子生物学公共实验室", 10, "lab", "lab", "科研楼A栋2层"),
            ("细胞培养实验室（P2）", 4, "lab", "lab", "科研楼A栋6层"),
            ("化学分析测试实验室", 6, "lab", "lab_long", "科研楼C栋2层"),
            ("药物制剂与药代动力学实验室", 6, "lab", "lab", "科研楼C栋3层"),
            ("智能机器人实验室", 12, "lab", "lab_long", "工程楼1层"),
            ("先进能源材料实验室", 6, "lab", "lab", "科研楼C栋4层"),
            ("生物医学工程公共实验室", 8, "lab", "lab", "工程楼2层"),
            ("计算机视觉与智能感知实验室", 12, "lab", "lab_long", "工程楼3层"),
            ("高性能计算公共平台", 20, "compute", "around_the_clock", "信息中心"),
            ("深理工学术报告厅", 300, "hall", "hall", "图书馆1层"),
        ],
    ),
    "深圳湾实验室": (
        "光明科学城 深圳湾实验室",
        [
            ("科研大装置", 6, "big_facility", "around_the_clock", "大装置楼"),
            ("单细胞技术平台", 4, "platform", "lab_long", "平台楼2层"),
            ("新药筛选平台", 4, "platform", "lab_long", "平台楼3层"),
            ("冷冻电镜平台", 3, "big_facility", "around_the_clock", "平台楼负1层"),
            ("质谱平台", 3, "platform", "instrument", "平台楼4层"),
            ("生物成像平台", 4, "platform", "lab_long", "平台楼5层"),
            ("基因测序平台", 3, "platform", "lab_long", "平台楼6层"),
            ("实验动物平台", 4, "platform", "lab", "动物中心"),
            ("生物信息计算平台", 30, "compute", "around_the_clock", "数据中心"),
            ("学术交流中心会议室", 40, "meeting_room", "office", "综合楼3层"),
        ],
    ),
    "光明科学城开发建设署": (
        "光明区光明科学城开发建设署办公区",
        [
            ("“智库+总设计师”科研平台", 12, "think_tank", "office", "规划展厅2层"),
            ("开发建设署第一会议室", 30, "meeting_room", "office", "办公楼5层"),
        ],
    ),
    SECRETARIAT_UNIT: (
        "",
        [
            ("党建联合体主阵地·多功能厅", 120, "hall", "hall", "光明区 党建联合体主阵地1层"),
            ("党建联合体主阵地·研讨室", 20, "meeting_room", "office", "光明区 党建联合体主阵地2层"),
            ("深圳党史馆现场教学基地", 60, "teaching_base", "exhibition", "深圳党史馆"),
            ("深圳市方志馆现场教学基地", 60, "teaching_base", "exhibition", "深圳市方志馆"),
            ("流动党群服务“大篷车”", 15, "caravan", "weekend_venue", "光明区党群服务中心"),
        ],
    ),
    "深圳市光明区人民医院": (
        "光明区光明街道 区人民医院",
        [
            ("白求恩党群服务中心", 80, "party_site", "service_centre", "门诊楼8层"),
            ("临床技能模拟培训中心", 20, "lab", "lab", "教学楼3层"),
        ],
    ),
    "中山大学附属第七医院": (
        "光明区 中山七院",
        [
            ("临床医学研究公共实验室", 8, "lab", "lab", "科研楼4层"),
            ("医学模拟教学中心", 24, "lab", "lab", "教学楼2层"),
        ],
    ),
    "共青团深圳市光明区委员会": (
        "光明区",
        [
            ("光明青年人才驿站", 50, "party_site", "service_centre", "光明青年人才驿站"),
            ("光明青年人才驿站·路演厅", 60, "hall", "hall", "光明青年人才驿站2层"),
        ],
    ),
    "中山大学·深圳": (
        "光明科学城 中山大学深圳校区",
        [
            ("高分辨质谱仪", 2, "instrument", "instrument", "分析测试中心1层"),
            ("X射线单晶衍射仪", 2, "instrument", "instrument", "分析测试中心1层"),
            ("超高场核磁共振波谱仪（600 MHz）", 2, "platform", "lab_long", "测试中心"),
            ("激光扫描共聚焦显微镜", 2, "instrument", "instrument", "分析测试中心2层"),
            ("学术会堂报告厅", 400, "hall", "hall", "学术会堂"),
        ],
    ),
    "中国科学院深圳先进技术研究院": (
        "光明科学城 重大科技基础设施集聚区",
        [
            ("合成生物研究重大科技基础设施", 6, "big_facility", "lab_long", "设施楼"),
            ("脑解析与脑模拟重大科技基础设施", 6, "big_facility", "lab_long", "设施楼"),
        ],
    ),
    "深圳市合成生物学创新研究院": (
        "光明科学城 合成生物创新研究院",
        [
            ("自动化合成生物铸造平台", 4, "platform", "instrument", "铸造平台1层"),
            ("合成院第二会议室", 20, "meeting_room", "office", "行政楼3层"),
        ],
    ),
    "深圳医学科学院": (
        "光明科学城 深圳医学科学院",
        [
            ("医学科研共享实验室", 10, "lab", "lab", "科研楼3层"),
            ("深圳医科院学术报告厅", 200, "hall", "hall", "学术中心1层"),
        ],
    ),
    "国家超级计算深圳中心": (
        "光明科学城 国家超级计算深圳中心（二期）",
        [
            ("超算机时（联合体专区）", 50, "compute", "around_the_clock", "机房"),
            ("可视化与大数据实验室", 16, "lab", "lab", "用户服务楼2层"),
        ],
    ),
    "深圳先进电子材料国际创新研究院": (
        "光明区 电子材料院",
        [
            ("电子材料表征平台", 3, "platform", "lab_long", "测试楼1层"),
            ("千级洁净间", 6, "lab", "lab", "中试楼2层"),
        ],
    ),
    "深圳市光明区科技创新局": (
        "光明区",
        [
            ("光明科技创新服务中心路演厅", 80, "hall", "hall", "科技创新服务中心"),
        ],
    ),
    "深圳市光明区人民检察院": (
        "光明科学城",
        [
            ("光明科学城检察官工作室", 6, "consultation", "consultation", "党群服务中心"),
        ],
    ),
    "深圳市光明区司法局": (
        "光明科学城",
        [
            ("光明科学城公共法律服务中心", 6, "consultation", "consultation", "服务中心"),
        ],
    ),
    "中共深圳市光明区委党校": (
        "光明区 区委党校",
        [
            ("党校报告厅", 200, "hall", "hall", "教学楼1层"),
            ("党校研讨教室", 40, "meeting_room", "office", "教学楼3层"),
            ("党性教育体验馆", 40, "teaching_base", "exhibition", "体验馆"),
        ],
    ),
    "深圳市光明区新湖街道党工委": (
        "光明区新湖街道",
        [
            ("新湖街道党群服务中心会议室", 30, "party_site", "service_centre", "3层"),
        ],
    ),
    "深圳市光明区凤凰街道党工委": (
        "光明区凤凰街道",
        [
            ("凤凰街道党群服务中心活动室", 40, "party_site", "service_centre", "2层"),
        ],
    ),
    "华侨城（光明）集团": (
        "光明区 光明小镇",
        [
            ("光明小镇会议中心", 150, "hall", "hall", "游客中心2层"),
            ("欢乐田园研学基地", 100, "party_site", "weekend_venue", "欢乐田园"),
            ("光明小镇党群书屋", 30, "party_site", "service_centre", "小镇客厅"),
        ],
    ),
    "TCL华星光电技术有限公司": (
        "光明区 华星光电园区",
        [
            ("显示器件可靠性检测实验室", 4, "lab", "lab", "检测中心"),
        ],
    ),
    "深圳迈瑞生物医疗电子股份有限公司": (
        "光明区 迈瑞光明基地",
        [
            ("医疗器械电磁兼容（EMC）实验室", 4, "lab", "lab", "实验楼1层"),
        ],
    ),
    "欣旺达电子股份有限公司": (
        "光明区 欣旺达光明园区",
        [
            ("动力电池安全测试实验室", 4, "lab", "lab", "测试中心"),
        ],
    ),
    "深圳光明科学城发展建设有限公司": (
        "光明科学城",
        [
            ("光明科学城规划展示中心", 80, "teaching_base", "exhibition", "展示中心"),
        ],
    ),
    "深圳农村商业银行光明支行": (
        "光明区",
        [
            ("人才银行路演厅", 60, "meeting_room", "office", "光明支行3层"),
        ],
    ),
    "深圳市光明区总工会": (
        "光明区 职工服务中心",
        [
            ("职工书屋", 40, "party_site", "service_centre", "1层"),
            ("职工心理咨询室", 2, "consultation", "consultation", "2层"),
        ],
    ),
    "深圳市光明区科学技术协会": (
        "光明区",
        [
            ("科普报告厅", 150, "hall", "hall", "科技馆"),
            ("科学家精神教育基地", 50, "teaching_base", "exhibition", "科技馆2层"),
        ],
    ),
    "深圳市光明区妇女联合会": (
        "光明区",
        [
            ("妇女儿童之家活动室", 30, "party_site", "service_centre", "妇女儿童之家"),
        ],
    ),
    "深圳市光明区社会组织总会": (
        "光明区",
        [
            ("社会组织孵化基地会议室", 20, "meeting_room", "office", "孵化基地"),
        ],
    ),
    "深圳市光明区志愿者联合会": (
        "光明区",
        [
            ("志愿服务培训教室", 40, "meeting_room", "office", "志愿服务中心"),
        ],
    ),
}

# Resources only some units may book: (unit, resource) -> allowed units.
BIOSAFETY_UNITS = [
    "中国科学院深圳理工大学",
    "深圳湾实验室",
    "中山大学·深圳",
    "中国科学院深圳先进技术研究院",
    "深圳医学科学院",
]
RESTRICTED = {
    ("中国科学院深圳理工大学", "细胞培养实验室（P2）"): BIOSAFETY_UNITS,
    ("深圳湾实验室", "实验动物平台"): BIOSAFETY_UNITS,
    ("深圳湾实验室", "科研大装置"): [*BIOSAFETY_UNITS, "深圳市合成生物学创新研究院"],
    ("中山大学附属第七医院", "临床医学研究公共实验室"): [
        "中山大学附属第七医院",
        "中山大学·深圳",
        "深圳市光明区人民医院",
        "深圳医学科学院",
    ],
}

# --- Members: (username, name, unit, role) ------------------------------------------------
# Back-office roles (secretariat, unit managers) get staff accounts.

MEMBERS = [
    ("mishuchu", "王敏", SECRETARIAT_UNIT, "secretariat"),
    ("mishuchu2", "李静", SECRETARIAT_UNIT, "secretariat"),
    ("szlg_admin", "周立新", "中国科学院深圳理工大学", "unit_manager"),
    ("szbl_admin", "郑海燕", "深圳湾实验室", "unit_manager"),
    ("kfjss_admin", "吴建国", "光明科学城开发建设署", "unit_manager"),
    ("hqc_admin", "冯晓东", "华侨城（光明）集团", "unit_manager"),
    ("sysu_admin", "梁文静", "中山大学·深圳", "unit_manager"),
    ("siat_admin", "何志强", "中国科学院深圳先进技术研究院", "unit_manager"),
    ("nscc_admin", "曾凡", "国家超级计算深圳中心", "unit_manager"),
    ("rmyy_admin", "谢丽娟", "深圳市光明区人民医院", "unit_manager"),
    ("tuanqw_admin", "邓佳", "共青团深圳市光明区委员会", "unit_manager"),
    ("dangxiao_admin", "罗振华", "中共深圳市光明区委党校", "unit_manager"),
    ("szlg_zhang", "张博", "中国科学院深圳理工大学", "researcher"),
    ("szlg_liu", "刘思远", "中国科学院深圳理工大学", "researcher"),
    ("szbl_chen", "陈雨桐", "深圳湾实验室", "researcher"),
    ("szbl_zhao", "赵一鸣", "深圳湾实验室", "researcher"),
    ("szbl_gong", "龚振宇", "深圳湾实验室", "researcher"),  # a platform engineer: an operator
    ("sysu_huang", "黄嘉怡", "中山大学·深圳", "researcher"),
    ("siat_li", "李泽宇", "中国科学院深圳先进技术研究院", "researcher"),
    ("synbio_wu", "吴桐", "深圳市合成生物学创新研究院", "researcher"),
    ("hqc_zhou", "周晓楠", "华侨城（光明）集团", "researcher"),
    ("rmyy_sun", "孙悦", "深圳市光明区人民医院", "researcher"),
    ("tuanqw_lin", "林可欣", "共青团深圳市光明区委员会", "researcher"),
]

# --- The working calendar -----------------------------------------------------------------
# Alliance-wide closures: (first day, last day, reason), whole local days.
# 2026: the State Council's published schedule. 2027: a plausible schedule in the same style
# (the official one is published late in the preceding year); replace it when it is out.

HOLIDAYS = [
    ("2026-01-01", "2026-01-03", "元旦"),
    ("2026-02-15", "2026-02-23", "春节"),
    ("2026-04-04", "2026-04-06", "清明节"),
    ("2026-05-01", "2026-05-05", "劳动节"),
    ("2026-06-19", "2026-06-21", "端午节"),
    ("2026-09-25", "2026-09-27", "中秋节"),
    ("2026-10-01", "2026-10-07", "国庆节"),
    ("2027-01-01", "2027-01-03", "元旦"),
    ("2027-02-05", "2027-02-13", "春节"),
    ("2027-04-03", "2027-04-05", "清明节"),
    ("2027-05-01", "2027-05-05", "劳动节"),
]

# Make-up working days (调休): (date, opens as weekday, note).
MAKEUP_DAYS = [
    ("2026-01-04", 4, "元旦调休上班"),
    ("2026-02-14", 0, "春节调休上班"),
    ("2026-02-28", 0, "春节调休上班"),
    ("2026-05-09", 0, "劳动节调休上班"),
    ("2026-09-20", 0, "国庆节调休上班"),
    ("2026-10-10", 4, "国庆节调休上班"),
    ("2027-01-31", 0, "春节调休上班"),
    ("2027-02-20", 0, "春节调休上班"),
    ("2027-04-25", 0, "劳动节调休上班"),
    ("2027-05-08", 0, "劳动节调休上班"),
]

# Closures of single resources: (resource, start, end, reason), local times.
# fmt: off
MAINTENANCE = [
    ("冷冻电镜平台", "2026-12-14 08:00", "2026-12-16 18:00", "冷冻电镜年度维护保养"),
    ("质谱平台", "2026-12-02 08:00", "2026-12-02 14:00", "离子源清洗与质量校准"),
    ("超算机时（联合体专区）", "2027-01-09 00:00", "2027-01-10 12:00", "机房供电检修"),
]
# fmt: on

# --- Bookings -----------------------------------------------------------------------------
# (resource, member, days from today, start, minutes, attendees, purpose, decision)
# Negative days lie in the past. The decision is taken by a manager of the resource's unit
# (the secretariat where the unit has none): "approve", "reject: <reason>", "cancel: <reason>"
# (by the booker), or "" to leave the booking as the scheduler made it. If the day is closed
# or taken, the seed moves the booking day by day (later for future ones, earlier for past).

# fmt: off
BOOKINGS = [
    ("冷冻电镜平台", "szlg_zhang", 4, "09:00", 360, 2, "蛋白复合物结构解析数据采集", "approve"),
    ("单细胞技术平台", "sysu_huang", 2, "14:00", 180, 2, "肿瘤微环境单细胞测序样本制备", ""),
    ("新药筛选平台", "synbio_wu", 5, "09:00", 240, 2, "候选化合物高通量筛选",
     "reject: 该时段平台已安排内部检测任务，请改约下周"),
    ("党建联合体主阵地·多功能厅", "tuanqw_lin", 4, "14:00", 120, 80, "青年人才党史学习分享会",
     "approve"),
    ("深圳党史馆现场教学基地", "siat_li", 6, "09:30", 150, 30, "新党员入党誓词现场教学", ""),
    ("流动党群服务“大篷车”", "tuanqw_lin", 12, "09:00", 240, 10, "科普宣传进社区", ""),
    ("白求恩党群服务中心", "rmyy_sun", 2, "15:00", 60, 20, "“我为群众办实事”义诊活动筹备会",
     "approve"),
    ("光明青年人才驿站", "szbl_chen", 7, "18:00", 120, 40, "青年科研人员交流沙龙", ""),
    ("超算机时（联合体专区）", "szlg_liu", 1, "20:00", 720, 1, "蛋白质分子动力学模拟", ""),
    ("高分辨质谱仪", "siat_li", 2, "10:00", 120, 1, "代谢产物结构鉴定", ""),
    ("“智库+总设计师”科研平台", "hqc_zhou", 8, "14:00", 120, 6, "光明小镇片区更新规划咨询",
     "approve"),
    ("合成生物学公共实验室", "synbio_wu", 3, "09:00", 180, 3, "基因线路构建实验", ""),
    ("光明小镇会议中心", "hqc_zhou", 9, "14:00", 120, 100, "党建联合体问诊会（原定场次）",
     "cancel: 活动改期"),
    ("光明科学城公共法律服务中心", "szbl_zhao", 2, "10:00", 30, 1, "科研合作合同法律咨询", ""),
    ("质谱平台", "szlg_zhang", -7, "09:00", 180, 1, "蛋白质组学样本检测", "approve"),
    ("深圳市方志馆现场教学基地", "sysu_huang", -10, "09:30", 150, 45,
     "“走虹桥、学党史”主题党日", "approve"),
    ("深理工学术报告厅", "siat_li", -14, "14:00", 180, 260, "“院士进光明”系列讲座", "approve"),
    ("基因测序平台", "rmyy_sun", -5, "09:00", 240, 1, "临床样本全外显子测序",
     "reject: 样本尚未完成伦理审查备案"),
    ("自动化合成生物铸造平台", "szbl_zhao", -3, "10:00", 240, 2, "工程菌株自动化构建", "approve"),
    ("光明科学城检察官工作室", "hqc_zhou", -2, "10:00", 60, 2, "知识产权司法保护咨询", ""),
]
# fmt: on
