"""Where the demo alliance's resources are and whom to call: loaded by ``seed_demo`` with
bookings.demo_data."""

from __future__ import annotations

from bookings.demo_data import SECRETARIAT_UNIT, UNITS

# --- Where to find each unit's resources: unit -> (address, nearest metro station) ----------
# Plausible addresses in 光明区 (Guangming Science City, Shenzhen), not claims about where
# the real organisations sit. The contact is the unit's contact office (UNITS) with a demo
# number: 0755-0000-xxxx is no real Shenzhen number (local numbers never start with 0).

WHEREABOUTS = {
    "中国科学院深圳理工大学": ("深圳市光明区新湖街道圳园路1068号", "地铁6号线科学公园站"),
    "深圳湾实验室": ("深圳市光明区新湖街道光明科学城启动区科研楼", "地铁6号线科学公园站"),
    "光明科学城开发建设署": ("深圳市光明区光明街道华夏路40号", "地铁6号线光明站"),
    "深圳市光明区人民医院": ("深圳市光明区光明街道华夏路39号", "地铁6号线光明站"),
    "中山大学附属第七医院": ("深圳市光明区新湖街道光明科学城医疗片区", "地铁6号线楼村站"),
    "共青团深圳市光明区委员会": ("深圳市光明区光明街道牛山路18号", "地铁6号线光明大街站"),
    "中山大学·深圳": ("深圳市光明区公常路66号 中山大学深圳校区", "地铁6号线支线中大站"),
    "中国科学院深圳先进技术研究院": ("深圳市光明区新湖街道科裕路2号", "地铁6号线科学公园站"),
    "深圳市合成生物学创新研究院": ("深圳市光明区新湖街道科裕路9号", "地铁6号线科学公园站"),
    "深圳医学科学院": ("深圳市光明区新湖街道光侨路1号", "地铁6号线楼村站"),
    "国家超级计算深圳中心": ("深圳市光明区凤凰街道观光路18号 超算中心二期", "地铁6号线凤凰城站"),
    "深圳先进电子材料国际创新研究院": ("深圳市光明区凤凰街道东长路3号", "地铁6号线凤凰城站"),
    "深圳市光明区科技创新局": ("深圳市光明区光明街道光明大道8号 区政府大楼", "地铁6号线光明站"),
    "深圳市光明区人民检察院": ("深圳市光明区凤凰街道光明大道268号", "地铁6号线凤凰城站"),
    "深圳市光明区司法局": ("深圳市光明区光明街道华夏路12号", "地铁6号线光明站"),
    "中共深圳市光明区委党校": ("深圳市光明区凤凰街道光侨路98号", "地铁6号线凤凰城站"),
    "深圳市光明区新湖街道党工委": ("深圳市光明区新湖街道新湖路1号", "地铁6号线楼村站"),
    "深圳市光明区凤凰街道党工委": ("深圳市光明区凤凰街道凤凰大道3号", "地铁6号线凤凰城站"),
    "华侨城（光明）集团": ("深圳市光明区光明街道光明小镇 华侨城大道1号", "地铁6号线光明大街站"),
    "TCL华星光电技术有限公司": ("深圳市光明区公明街道塘明大道9号", "地铁6号线长圳站"),
    "深圳迈瑞生物医疗电子股份有限公司": ("深圳市光明区玉塘街道光明高新园区", "地铁6号线长圳站"),
    "欣旺达电子股份有限公司": ("深圳市光明区马田街道欣旺达光明工业园", "地铁6号线合水口站"),
    "深圳光明科学城发展建设有限公司": ("深圳市光明区新湖街道科学城大道6号", "地铁6号线科学公园站"),
    "深圳农村商业银行光明支行": ("深圳市光明区光明街道光明大街88号", "地铁6号线光明大街站"),
    "深圳市光明区总工会": ("深圳市光明区光明街道碧眼路20号", "地铁6号线光明站"),
    "深圳市光明区科学技术协会": ("深圳市光明区新湖街道科学公园科普馆", "地铁6号线科学公园站"),
    "深圳市光明区妇女联合会": ("深圳市光明区光明街道华夏路22号", "地铁6号线光明站"),
    "深圳市光明区社会组织总会": ("深圳市光明区凤凰街道凤凰城社会组织孵化基地", "地铁6号线凤凰城站"),
    "深圳市光明区志愿者联合会": ("深圳市光明区光明街道光明文化艺术中心", "地铁6号线光明站"),
    SECRETARIAT_UNIT: ("深圳市光明区光明街道光明大道8号 区委大院", "地铁6号线光明站"),
}


def resource_whereabouts(unit_name: str) -> dict[str, str]:
    """Address, directions and contact of the resources of ``unit_name``."""
    address, station = WHEREABOUTS[unit_name]
    number = [row[0] for row in UNITS].index(unit_name) + 1
    contact = next(row[3] for row in UNITS if row[0] == unit_name)
    return {
        "address": address,
        "directions": f"乘{station}下车，步行约10分钟；访客请在正门登记并出示预约记录。",
        "contact_name": contact,
        "contact_phone": f"0755-0000-{number:04d}",
    }
