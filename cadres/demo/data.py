"""The demo's fixed data: the main township, its units and leaders, names, trainings, the log-ins."""

from __future__ import annotations

from cadres.models import (
    Post,
    Training,
    Unit,
)

COUNTY = "河川县"
MAIN_CODE = "620521101"
MAIN_NAME = "东河镇"
MAIN_VILLAGES = [
    "东河村", "光明路村", "西坪村", "南沟村", "北塬村", "张家庄村", "李家湾村", "王家岔村", "红星村", "新民村",
    "前进村", "柳树沟村", "杨家坪村", "马家河村", "石门村", "桃园村", "河湾村", "上庄村", "下庄村", "城关社区",
]
EXTRA_TOWNSHIPS = [
    "西山镇", "南川镇", "北坡镇", "柳林镇", "石桥镇", "马营镇", "高庙镇", "新集镇", "三岔镇", "李家堡镇",
    "红柳镇", "金川镇", "清水镇", "白杨镇", "碧玉镇", "双泉镇", "青石镇", "龙泉镇", "花园镇",
]
UNITS = [
    ("党政办", Unit.Kind.OFFICE), ("农业服务中心", Unit.Kind.CENTER), ("财政所", Unit.Kind.STATION),
    ("社会事务办", Unit.Kind.OFFICE), ("林业站", Unit.Kind.STATION), ("水务站", Unit.Kind.STATION),
    ("自然资源所", Unit.Kind.STATION), ("综合文化站", Unit.Kind.STATION),
]
LEADERS = [
    Post.PARTY_SECRETARY, Post.TOWNSHIP_HEAD, Post.DEPUTY_SECRETARY, Post.DEPUTY_HEAD, Post.DEPUTY_HEAD,
    Post.DEPUTY_HEAD, Post.COMMITTEE_MEMBER, Post.COMMITTEE_MEMBER, Post.DISCIPLINE_SECRETARY,
]
# Which leader (index in LEADERS) is in charge of each unit (index in UNITS).
UNIT_LEADERS = [2, 3, 1, 4, 5, 5, 3, 6]
VILLAGE_POSTS = [Post.VILLAGE_SECRETARY, Post.VILLAGE_DIRECTOR, Post.VILLAGE_COMMITTEE]
GROUP_NUMERALS = "一二三四五六七八九十"

SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任"
    "沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严武戴莫孔向汤"
)
GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国玉兰志红梅海燕文辉小春林雪飞鹏宇浩晨亮斌宁"
    "婷欣怡佳瑞峰波霞凤兰萍琴云莲荣旭东永福德顺昌盛忠诚学成君彦彬晓东喜生有才万全宝山金花翠花"
)
VILLAGE_STEMS = [
    "张家", "李家", "王家", "刘家", "马家", "杨家", "赵家", "何家", "石", "柳", "桃", "杏", "红", "新", "前",
    "后", "上", "下", "东", "西", "南", "北", "黄", "白", "青", "双", "三", "庙",
]
VILLAGE_ENDS = ["村", "庄村", "湾村", "坪村", "沟村", "岔村", "堡村", "寨村", "塬村", "川村"]

TRAININGS = [
    ("干部工作方法培训班", Training.Kind.WORK_METHOD, "镇党委会议室"),
    ("入党积极分子培训班", Training.Kind.ACTIVISTS, "镇党校"),
    ("日光温室栽培技术培训", Training.Kind.AGRI_TECH, "东河村远程教育站点"),
    ("党员远程教育集中学习", Training.Kind.REMOTE_EDUCATION, "光明路村远程教育站点"),
    ("群众工作方法专题培训", Training.Kind.WORK_METHOD, "镇党委会议室"),
    ("林果病虫害防治培训", Training.Kind.AGRI_TECH, "西坪村远程教育站点"),
    ("村务公开规范化培训", Training.Kind.OTHER, "镇政府二楼会议室"),
    ("作风建设专题学习", Training.Kind.WORK_METHOD, "镇党委会议室"),
    ("高效节水灌溉技术培训", Training.Kind.AGRI_TECH, "南沟村远程教育站点"),
    ("党纪学习教育读书班", Training.Kind.OTHER, "镇党校"),
    ("入党积极分子第二期培训班", Training.Kind.ACTIVISTS, "镇党校"),
    ("乡村振兴政策宣讲", Training.Kind.REMOTE_EDUCATION, "城关社区远程教育站点"),
]

LOGINS = ["admin", "office", "secretary", "unithead", "cadre1", "cadre2", "village1", "inspector", "reporter", "county"]
