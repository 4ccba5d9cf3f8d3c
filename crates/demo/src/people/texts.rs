//! Case texts: subject and description templates per kind and utility, and
//! the vocabulary that fills them.

use super::businesses::{BRANDS, business_name};
use super::names::surname;
use super::org::{COUNTY, COUNTY_SHORT};
use super::phones::push_digits;
use super::places::{CN_NUM, TOWNSHIPS, any_compound, any_village};
use super::rng::DemoRng;

/// Utility-specific vocabulary used to fill case templates.
pub(super) struct Util {
    svc: &'static str,
    fee: &'static str,
    meter: &'static str,
    stop: &'static str,
    pipe: &'static str,
    dept: &'static str,
    /// Typical bill amount range in yuan.
    amount: (u32, u32),
    /// Months in which bills/complaints make sense.
    months: &'static [u32],
}

const ALL_MONTHS: &[u32] = &[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];

const GAS: Util = Util {
    svc: "供气",
    fee: "燃气费",
    meter: "燃气表",
    stop: "停气",
    pipe: "燃气管道",
    dept: "燃气运行抢修部",
    amount: (45, 620),
    months: ALL_MONTHS,
};
const WATER: Util = Util {
    svc: "供水",
    fee: "水费",
    meter: "水表",
    stop: "停水",
    pipe: "自来水管",
    dept: "供水运行部",
    amount: (25, 320),
    months: ALL_MONTHS,
};
const HEAT: Util = Util {
    svc: "供暖",
    fee: "取暖费",
    meter: "热计量表",
    stop: "停暖",
    pipe: "供暖管道",
    dept: "供热运行部",
    amount: (1500, 4200),
    months: &[11, 12, 1, 2, 3],
};
const POWER: Util = Util {
    svc: "供电",
    fee: "电费",
    meter: "电表",
    stop: "停电",
    pipe: "电缆",
    dept: "配电运维抢修部",
    amount: (60, 860),
    months: ALL_MONTHS,
};

// Utility masks for templates.
const G: u8 = 1;
const W: u8 = 2;
const H: u8 = 4;
const P: u8 = 8;
const GWP: u8 = G | W | P;
const ALL: u8 = G | W | H | P;

type Tpl = (u8, &'static str, &'static str);

const CONSULTATION: &[Tpl] = &[
    (
        ALL,
        "咨询{svc}开户手续",
        "刚买的房子准备入住，想了解办理{svc}开户要带哪些材料，房产证和身份证要不要原件，能不能在网上办。",
    ),
    (
        ALL,
        "咨询{fee}缴纳方式",
        "家里老人不会用手机支付，想问除了营业厅以外，附近有没有银行网点或代收点能交{fee}，能不能办银行代扣。",
    ),
    (
        ALL,
        "咨询{svc}账户过户",
        "房子是从{sur}家买的，{svc}账户上还是原房主的名字，想问过户需不需要双方都到场，多久能办好。",
    ),
    (ALL, "询问{stop}检修时间", "听邻居说这几天{compound}要{stop}检修，想确认具体是哪天、几点到几点，好提前做准备。"),
    (ALL, "咨询营业厅办公时间", "想问一下城关营业厅周末上不上班、中午休不休息，办{svc}业务需不需要提前预约。"),
    (
        G,
        "咨询燃气热水器安装要求",
        "准备在阳台装一台燃气热水器，想了解安装位置有什么要求，是否需要到燃气公司备案，能不能派人上门看一下。",
    ),
    (G, "咨询燃气报警器安装", "收到通知说用户要加装燃气报警器和自闭阀，想问是不是必须装，费用怎么算，可以自己买吗。"),
    (
        G,
        "咨询天然气阶梯气价",
        "想问居民天然气的阶梯是怎么划分的，第二档从多少立方米开始，家里人口多能不能申请增加基数。",
    ),
    (W, "咨询自来水水质情况", "家里刚装了净水器，想了解咱们县自来水的硬度和水质检测结果在哪里可以查到。"),
    (
        W,
        "咨询二次供水水箱清洗",
        "我们是高层住宅，楼上的水靠水箱加压，想问水箱多久清洗一次，是物业负责还是供水公司负责。",
    ),
    (
        W,
        "咨询多人口户水价调整",
        "家里常住七口人，用水量经常超出第一阶梯，听说可以申请多人口户调整，想问需要准备什么材料。",
    ),
    (H, "咨询今年供暖开始时间", "天已经冷下来了，想问今年县城什么时候正式供暖，注水试压是哪几天，家里需不需要留人。"),
    (H, "咨询暖气报停办理", "今年冬天家里没人住，想申请暖气报停，最晚什么时候之前要办，报停后还要不要交基础热费。"),
    (H, "咨询取暖费计费面积", "取暖费是按建筑面积还是套内面积算，阁楼和封闭阳台算不算在内，想了解具体标准。"),
    (P, "咨询峰谷分时电价", "想了解居民峰谷电价怎么申请，峰段谷段各是几点到几点，晚上给电动车充电划不划算。"),
    (P, "咨询增容办理流程", "家里准备装空调和电暖器，现在的容量不够用，想问增容需要什么手续、大概要花多少钱。"),
    (P, "咨询屋顶光伏并网", "打算在自家屋顶装光伏板，想了解并网要走哪些手续，用不完的电能不能卖给电网。"),
];

const BILLING_INQUIRY: &[Tpl] = &[
    (
        GWP,
        "{month}份{fee}明显偏高",
        "{month}份的{fee}是{amt}元，比平时多了将近一倍，家里用量没有什么变化，怀疑{meter}不准或者抄错了，请帮忙核实。",
    ),
    (
        ALL,
        "已缴费仍显示欠费",
        "{days}天前已经在手机上交了{fee}{amt}元，付款记录都在，可系统里还显示欠费，还收到了催缴短信。",
    ),
    (ALL, "申请开具{fee}发票", "单位报销需要{fee}发票，想问怎么开，能不能开增值税专用发票，电子发票发到哪里。"),
    (ALL, "账单户名地址不对", "收到的{fee}账单上户名和地址都不是我家的，户号尾号是{digits}，担心是把户号弄混了。"),
    (ALL, "{fee}被重复扣款", "银行卡这个月被代扣了两次{fee}，每次{amt}元，请核实后把多扣的钱退回来。"),
    (
        GWP,
        "估抄补收费用有疑问",
        "前几个月一直没人来抄{meter}，都是按估算收费，这个月一下子补收了{amt}元，想要一份详细的用量明细。",
    ),
    (G, "IC卡购气后表上没到账", "在营业厅买了{n}0立方米的气，回家插卡后表上余量没变化，卡也读不出来了。"),
    (G, "燃气表读数与账单不一致", "自己拍了燃气表读数是{reading}，账单上的本期读数却大了好几十立方米，请核对一下。"),
    (W, "咨询水费中的污水处理费", "账单上除了水费还有一项污水处理费，想知道是怎么计算的，是不是所有用户都要交。"),
    (
        W,
        "暗管漏水导致水费过高",
        "后来发现是卫生间暗管漏水，这期水费{amt}元，管子已经修好了，想问能不能酌情减免一部分。",
    ),
    (H, "取暖费计费面积不对", "今年取暖费按{area}平方米收的，可房产证上的建筑面积要小不少，请核实计费面积。"),
    (H, "报停后仍收全额取暖费", "去年十月已经办了报停，今年账单上还是按全额收了{amt}元，应该只收基础热费才对。"),
    (H, "取暖费缴费截止时间", "想问本采暖季取暖费最晚什么时候交，逾期会不会停暖或者收滞纳金。"),
    (P, "电费账单峰谷用量有疑问", "账单上分了峰段和谷段两栏，谷段用量比预计的少很多，想请人解释一下是怎么算的。"),
    (P, "预付费电表余额扣得太快", "电表里充了{amt}元，不到半个月就提示余额不足，家里没有大功率电器，怀疑计量有问题。"),
];

const BUSINESS_APPLICATION: &[Tpl] = &[
    (ALL, "申请{svc}新装开户", "{compound}新交付的房子已经拿到钥匙，申请办理{svc}开户，工作日白天家里都有人。"),
    (GWP, "申请{meter}移位", "家里装修，{meter}的位置挡住了橱柜，想申请把表往外移一点，请派人上门勘察报价。"),
    (ALL, "申请{svc}过户更名", "房屋已经办完过户，申请把{svc}户名从原房主改成我的名字，相关材料都准备好了。"),
    (GWP, "申请暂停{svc}", "老房子要空置一年多，申请暂停{svc}并做安全封存，等回来住了再申请恢复。"),
    (ALL, "申请开具缴费证明", "孩子上学需要近一年的{fee}缴费证明，户号账单上有，想问能不能盖章后邮寄。"),
    (ALL, "商户申请{svc}增容", "{biz}准备扩大经营，现有的{svc}容量不够，申请增容改造，希望尽快安排人员勘查。"),
    (G, "预约燃气入户安全检查", "刚换了燃气灶和连接软管，想预约一次入户安全检查，确认接口没问题再用。"),
    (G, "申请燃气改管", "厨房重新装修，需要把燃气管改到另一面墙上，请安排有资质的人员上门改管。"),
    (W, "申请施工临时用水", "{town}有一处自建房工地申请临时施工用水，预计用三个月，请告知收费标准。"),
    (H, "申请暖气报停", "今年冬天全家外出打工，申请办理供暖报停，户内阀门已经关好，请派人上门加封。"),
    (H, "申请恢复供暖", "前两年办了报停，今年家里有人住了，申请恢复供暖，想问需要补交什么费用。"),
    (P, "申请充电桩报装", "在{compound}地下车库买了车位，申请安装单独计量的充电桩电表，物业已经同意。"),
    (P, "申请农业灌溉用电", "{town}的几户村民合伙打了一眼机井，申请安装农灌用电，需要办什么手续。"),
];

const REPAIR: &[Tpl] = &[
    (GWP, "{meter}不走字", "{time}发现{meter}读数好几天没有变化，家里一直在正常用，担心计量出了问题，请派人看看。"),
    (GWP, "{meter}表箱损坏", "{pos}的{meter}表箱门被撞坏了，关不上，下雨天怕进水，麻烦来修一下。"),
    (ALL, "催促上门维修", "上次报修师傅说要换配件，到现在{days}天了还没人来，想确认一下什么时候能上门。"),
    (G, "闻到燃气泄漏味道", "{time}在厨房闻到很明显的燃气味，已经关了总阀、开了窗，人在楼下等着，请尽快派人来查漏。"),
    (G, "燃气灶点不着火", "灶具能打火但就是点不着，邻居家用气都正常，怀疑是表前阀或者调压器有问题。"),
    (G, "楼道燃气立管锈蚀", "{pos}的燃气立管锈得很厉害，漆皮都掉了，有一处还起了鼓包，担心时间长了会漏气。"),
    (G, "智能燃气表显示关阀", "智能燃气表屏幕上显示关阀，已经充过值了还是不出气，请派人来处理。"),
    (W, "家里突然没水", "{time}开始家里水龙头一点水都不出，问了邻居也一样，没看到停水通知。"),
    (W, "水压太低", "最近一到早晚做饭的时候水压就特别低，我家住{n}楼，热水器都打不着火。"),
    (W, "路面自来水管爆裂", "{road}靠近{compound}门口的路面往外冒水，水流很大，已经漫到人行道上了。"),
    (W, "自来水发黄有异味", "{time}打开水龙头流出来的是黄水，放了好一会儿还有铁锈味，不敢给孩子喝。"),
    (H, "暖气不热", "家里暖气片摸着只有一点温度，室内才{temp}度左右，已经放过气了也没有改善。"),
    (H, "暖气片漏水", "卧室暖气片接头处一直往下滴水，地板都泡了，已经把进水阀关上了，请尽快来人。"),
    (H, "供暖管道有异响", "晚上暖气管道里一直咕咚咕咚地响，吵得睡不着，怀疑里面有空气。"),
    (H, "整个单元暖气不热", "{compound}{n}号楼整个单元都不热，低楼层还行，越往上越凉。"),
    (H, "暖气阀门拧不动", "客厅暖气片的进水阀锈死了，拧不动，想把温度调小一点都没办法。"),
    (H, "热力井冒热水", "{pos}的供暖管道井盖往外冒白气，地面上都是热水，一结冰很容易滑倒。"),
    (P, "家里停电了", "{time}突然停电，楼里其他人家也没电，看了总闸没有跳，请帮忙查一下原因。"),
    (P, "电压不稳灯光闪烁", "最近晚上家里的灯老是忽明忽暗，空调也启动不了，怀疑电压偏低。"),
    (P, "电线杆倾斜", "{road}路边有一根电线杆往路中间歪，下面的线垂得很低，大车经过很危险。"),
    (P, "电表箱冒烟有焦味", "{pos}的电表箱里有焦糊味，还能看到一点烟，已经让邻居别靠近，请马上派人处理。"),
];

const COMPLAINT: &[Tpl] = &[
    (ALL, "维修人员迟迟未到", "{time}就报修了，说好两个小时内到，结果等了大半天都没人来，打电话也只说在路上。"),
    (ALL, "营业厅排队时间太长", "今天去营业厅办{svc}业务，只开了一个窗口，前面排了二十多人，等了一个多小时。"),
    (ALL, "{stop}没有提前通知", "{time}突然{stop}，事先没看到任何通知，家里有老人孩子很不方便，希望以后提前告知。"),
    (ALL, "接线员态度差", "打电话问{fee}的事情，接线员语气很不耐烦，话没说完就挂了，希望加强管理。"),
    (ALL, "施工后路面没有恢复", "上个月在{road}挖开修{pipe}，到现在坑还没填平，只用几块铁板盖着，晚上骑车很危险。"),
    (ALL, "同一问题多次报修未解决", "同一个问题已经报修{n}次了，每次来人看一眼就走，到现在也没解决。"),
    (
        G,
        "安检人员推销产品",
        "上门安检的人说我家软管必须换，还要买他们带的报警器，价格比外面贵很多，不知道是不是公司的人。",
    ),
    (W, "停水多日无人送水", "已经停水{days}天了，说是管网改造，可一直没见送水车，楼上老人只能下楼提水。"),
    (H, "室温长期不达标", "从开始供暖到现在室温一直只有{temp}度左右，远低于规定标准，要求上门测温并退还部分取暖费。"),
    (P, "频繁停电家电受损", "这个月已经停了{n}次电，冰箱里的东西坏了，电视也烧了，没有一次提前通知。"),
];

const REPORT: &[Tpl] = &[
    (GWP, "举报私接{pipe}", "{compound}有一户疑似绕过{meter}私接{pipe}，晚上经常有人在那里施工。"),
    (ALL, "有人冒充公司人员上门", "今天有两个人穿着像工作服的衣服挨家敲门，说要检查{svc}设施并收费，怀疑是骗子。"),
    (ALL, "施工可能挖坏管线", "{road}正在施工，挖掘机离{pipe}很近，现场没看到有人监护，担心挖坏了。"),
    (GWP, "{meter}表箱锁被撬", "{pos}的好几个{meter}表箱锁被撬开了，不知道是谁干的，担心有人动了表。"),
    (GWP, "抄表员索要好处", "有抄表员暗示给点好处就可以少算用量，觉得这样做不对，向公司反映一下。"),
    (ALL, "设施周边被杂物占用", "{pos}的{svc}设施旁边堆满了杂物和电动车，万一出事抢修人员都进不去。"),
    (G, "饭店违规存放液化气钢瓶", "{biz}已经通了天然气，后厨还放着好几个液化气钢瓶，存在安全隐患。"),
    (W, "有人从消防栓私自取水", "有洒水车直接从{road}边的消防栓接水，不清楚有没有经过批准。"),
    (H, "邻居私改暖气", "楼上邻居装修时私自把暖气改到阳台，还加了好几组暖气片，导致我们这户不热。"),
    (H, "收费人员私收现金", "上门收取暖费的人只收现金、不给正式票据，怀疑不是公司的人。"),
    (H, "供热站烟囱冒黑烟", "{town}供热站的烟囱这几天一直冒黑烟，附近晾的衣服都脏了，怀疑环保设施没开。"),
    (H, "热力井盖丢失", "{pos}有一个热力井盖不见了，下面就是热水管道，晚上看不清很容易掉下去。"),
    (P, "私拉电线给电动车充电", "{compound}有人从楼上窗户拉电线下来给电动车充电，线就搭在绿化带上，非常危险。"),
];

const SUGGESTION: &[Tpl] = &[
    (ALL, "建议更多业务线上办理", "希望{svc}的过户、报停这些业务都能在手机上办，不用专门跑营业厅。"),
    (ALL, "建议{stop}通知多渠道发布", "{stop}通知只贴在单元门口，很多人看不到，建议同时发短信或在业主群里通知。"),
    (GWP, "建议账单显示用量对比", "希望{fee}账单上能显示上月和去年同期的用量，方便自己判断有没有异常。"),
    (ALL, "建议营业厅设老年人专窗", "来办业务的老人很多，建议设一个专门窗口，再准备几把椅子和老花镜。"),
    (ALL, "建议推送抢修进度", "报修后能不能发短信告诉我们师傅什么时候出发、大概几点到，省得一直在家等。"),
    (ALL, "建议在乡镇设缴费点", "{town}离县城远，交{fee}要坐半个多小时车，建议在镇上设一个代收点。"),
    (G, "建议多宣传燃气安全知识", "很多老人不知道燃气软管要定期更换，建议在社区多开展宣传，发一些图文小册子。"),
    (W, "建议公开水质检测报告", "希望每月在公众号上公布出厂水和管网末梢水的检测结果，让大家用水放心。"),
    (H, "建议根据天气延长供暖", "今年三月中旬还很冷，建议根据气温情况适当延长供暖期，不要一到日子就停。"),
    (P, "建议小区增设充电设施", "{compound}电动车越来越多，建议在小区里增设集中充电桩，减少飞线充电。"),
];

const PRAISE: &[Tpl] = &[
    (ALL, "表扬{staff}维修及时", "{time}报修后{staff}不到一个小时就到了，问题处理得很利索，还讲了注意事项，非常感谢。"),
    (ALL, "感谢营业厅工作人员", "在营业厅办{svc}过户时，窗口的工作人员很耐心，材料不全还帮我想办法，服务很好。"),
    (ALL, "热线接线员服务周到", "打热线咨询{fee}的问题，接线员解释得很清楚，还主动帮我查了历史缴费记录。"),
    (ALL, "抢修人员连夜作业", "前天夜里下大雨，抢修队在{road}上干了一整夜，第二天一早就恢复了{svc}，辛苦了。"),
    (
        ALL,
        "感谢照顾独居老人",
        "我母亲一个人住在{town}，{staff}上门时发现她家{svc}设施有问题，当场就帮忙处理好了，特此表扬。",
    ),
    (ALL, "想给{dept}送锦旗", "想给{dept}送一面锦旗，感谢春节期间坚守岗位保障{svc}，请问送到哪里合适。"),
    (G, "安检员及时发现隐患", "入户安检时{staff}发现我家燃气软管老化开裂，马上帮忙换了，避免了一场事故。"),
    (W, "停水期间送水上门", "管网抢修停水时，工作人员给我们楼的老人一桶一桶把水送上楼，很暖心。"),
    (H, "供暖师傅半夜上门", "半夜暖气突然不热，{staff}十二点多还赶过来排气调阀，家里很快就暖和了。"),
    (P, "电工帮忙排查线路", "家里总跳闸，{staff}上门后把老化的插座也一起查了，一分钱没收。"),
];

const NUISANCE: &[Tpl] = &[
    (ALL, "来电无声", "接通后对方一直不说话，约{n}0秒后挂断，回拨无人接听。"),
    (ALL, "咨询非本单位业务", "来电人询问有线电视和宽带办理，已告知不属于本公司业务，并提供了相关单位电话。"),
    (ALL, "来电辱骂接线员", "来电人情绪激动，没有具体诉求，连续说不文明用语，接线员提醒后对方挂断。"),
    (ALL, "儿童误拨热线", "来电是小孩玩手机误拨，背景能听到动画片的声音，已礼貌结束通话。"),
    (ALL, "推销电话", "来电人推销贷款和保险，与{svc}服务无关，已结束通话。"),
    (ALL, "同一号码反复骚扰", "该号码{time}已连续拨打热线{n}次，每次接通即挂断，影响正常来电接入。"),
    (G, "谎报燃气泄漏", "来电称{compound}有燃气味，抢修人员赶到后现场无异味、检测无泄漏，来电人承认是开玩笑。"),
    (W, "反复要求免除水费", "来电人以“水是天上下的”为由要求免交水费，解释政策后仍反复拨打。"),
    (H, "非供暖期要求供暖", "来电人在五月份要求立即给家里供暖，解释采暖季时间后仍坚持，反复拨打。"),
    (P, "谎报停电", "来电称{road}大面积停电，核查后线路运行正常，来电人留下的住址无法核实。"),
];

/// Optional closing sentences appended to citizen-written descriptions.
const CLOSINGS: &[&str] =
    &["麻烦尽快回复。", "白天打这个号码都能联系到我。", "希望尽快处理，谢谢！", "请处理后回个电话。", "辛苦了。"];

const TIMES: &[&str] = &["今天上午", "今天下午", "昨天晚上", "今天一早", "前天", "刚才", "中午"];
const POSITIONS: &[&str] = &["楼道里", "单元门口", "小区大门旁", "地下车库入口", "楼后空地上"];

pub(super) fn templates(kind: &str) -> &'static [Tpl] {
    match kind {
        "consultation" => CONSULTATION,
        "billing_inquiry" => BILLING_INQUIRY,
        "business_application" => BUSINESS_APPLICATION,
        "repair" => REPAIR,
        "complaint" => COMPLAINT,
        "report" => REPORT,
        "suggestion" => SUGGESTION,
        "praise" => PRAISE,
        "nuisance" => NUISANCE,
        _ => CONSULTATION,
    }
}

/// Returns (vocabulary, mask bit); unknown utilities fall back to water.
pub(super) fn util(utility: &str) -> (&'static Util, u8) {
    match utility {
        "gas" => (&GAS, G),
        "heat" => (&HEAT, H),
        "power" => (&POWER, P),
        _ => (&WATER, W),
    }
}

/// Replace `{token}`s in a template. `u` is needed only for utility tokens;
/// without it they fall back to water vocabulary.
pub(super) fn fill(rng: &mut DemoRng, template: &str, u: Option<&Util>) -> String {
    let u = u.unwrap_or(&WATER);
    let mut out = String::with_capacity(template.len() + 32);
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        let Some(end) = after.find('}') else {
            out.push_str(&rest[start..]);
            return out;
        };
        let token = &after[..end];
        match token {
            "svc" => out.push_str(u.svc),
            "fee" => out.push_str(u.fee),
            "meter" => out.push_str(u.meter),
            "stop" => out.push_str(u.stop),
            "pipe" => out.push_str(u.pipe),
            "dept" => out.push_str(u.dept),
            "month" => {
                let m = *rng.pick(u.months);
                out.push_str(&format!("{m}月"));
            }
            "amt" => {
                let yuan = rng.range(u.amount.0, u.amount.1);
                let fen = rng.below(100);
                out.push_str(&format!("{yuan}.{fen:02}"));
            }
            "days" => out.push_str(&rng.range(2, 15).to_string()),
            "n" => out.push_str(&rng.range(2, 9).to_string()),
            "temp" => out.push_str(&rng.range(11, 16).to_string()),
            "area" => out.push_str(&rng.range(85, 160).to_string()),
            "reading" => out.push_str(&rng.range(120, 3980).to_string()),
            "digits" => push_digits(rng, &mut out, 4),
            "time" => out.push_str(*rng.pick(TIMES)),
            "pos" => out.push_str(*rng.pick(POSITIONS)),
            "sur" => out.push_str(surname(rng)),
            "staff" => {
                out.push_str(surname(rng));
                out.push_str("师傅");
            }
            "road" => out.push_str(any_compound(rng).1),
            "compound" => out.push_str(any_compound(rng).0),
            "town" => out.push_str(rng.pick(TOWNSHIPS).name),
            "village" => out.push_str(any_village(rng).1),
            "biz" => out.push_str(&business_name(rng)),
            "brand" => out.push_str(*rng.pick(BRANDS)),
            "county" => out.push_str(COUNTY),
            "cshort" => out.push_str(COUNTY_SHORT),
            "ord" => out.push_str(*rng.pick(&CN_NUM[..4])),
            other => {
                out.push('{');
                out.push_str(other);
                out.push('}');
            }
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    out
}

/// (subject, description) for a case of `kind` about `utility`.
///
/// `kind`: consultation, billing_inquiry, business_application, repair,
/// complaint, report, suggestion, praise, nuisance (unknown → consultation).
/// `utility`: gas, water, heat, power (unknown → water).
pub fn case_text(rng: &mut DemoRng, kind: &str, utility: &str) -> (String, String) {
    let (u, bit) = util(utility);
    let all = templates(kind);
    let count = all.iter().filter(|t| t.0 & bit != 0).count() as u64;
    let idx = rng.below(count) as usize;
    let &(_, subject, description) =
        all.iter().filter(|t| t.0 & bit != 0).nth(idx).expect("index within filtered count");
    let subject = fill(rng, subject, Some(u));
    let mut description = fill(rng, description, Some(u));
    if kind != "nuisance" && rng.chance(35) {
        description.push_str(*rng.pick(CLOSINGS));
    }
    (subject, description)
}
