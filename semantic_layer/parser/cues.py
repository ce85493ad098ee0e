"""The fixed words of questions that are not in the model: grains, ranking, comparison, chart
and share words, negation and totals, threshold operators, and words that carry no meaning."""

from __future__ import annotations

GRAIN_WORDS: dict[str, str] = {
    "按天": "day", "每天": "day", "每日": "day", "日度": "day", "逐日": "day", "按日": "day", "分天": "day",
    "daily": "day", "by day": "day", "per day": "day", "each day": "day",
    "按周": "week", "每周": "week", "周度": "week", "逐周": "week", "分周": "week",
    "weekly": "week", "by week": "week", "per week": "week", "each week": "week",
    "按月": "month", "每月": "month", "每个月": "month", "月度": "month", "逐月": "month", "分月": "month",
    "各月": "month", "月份": "month", "monthly": "month", "by month": "month", "per month": "month",
    "each month": "month",
    "按季度": "quarter", "每季度": "quarter", "每个季度": "quarter", "季度": "quarter", "各季度": "quarter",
    "分季度": "quarter", "quarterly": "quarter", "by quarter": "quarter", "per quarter": "quarter",
    "each quarter": "quarter",
    "按年": "year", "每年": "year", "年度": "year", "各年": "year", "yearly": "year", "by year": "year",
    "annual": "year", "annually": "year", "per year": "year",
}
TREND_WORDS = ("趋势", "走势", "变化", "trend", "trends", "over time")

RANK_DESC = ("最高", "最多", "最大", "最好", "最强", "最火", "最佳", "最贵", "highest", "most", "best", "largest",
             "biggest", "greatest", "maximum")
RANK_ORDER_ONLY = ("排名", "排行", "排行榜", "靠前", "排序", "从高到低", "从大到小", "降序", "ranking", "rank",
                   "ranked", "top", "leading", "sorted", "descending")
RANK_ASC = ("最低", "最少", "最小", "最差", "最弱", "最便宜", "垫底", "倒数", "从低到高", "从小到大", "升序",
            "lowest", "least", "worst", "smallest", "bottom", "fewest", "minimum", "ascending")
# "most liked / best selling" rank by units sold when the question names no metric
POPULAR_WORDS = ("最喜欢", "最爱", "最畅销", "畅销", "卖得最好", "卖的最好", "卖得最多", "卖的最多", "买得最多",
                 "买的最多", "最热销", "热销", "爆款", "最受欢迎", "best-selling", "best selling",
                 "bestselling", "best sellers", "best seller", "most popular", "top selling", "top-selling",
                 "sold the most", "sells the most", "most sold", "favorite", "favourite")
WHICH_ONE = ("哪个", "哪一个", "哪家", "哪款", "哪位", "哪一款", "哪座", "which", "what is the", "who")
WHICH_MANY = ("哪些", "哪几个", "哪几款", "which ones")

PREVIOUS_PERIOD = ("环比", "较上期", "比上期", "上期", "vs previous period", "versus previous period",
                   "previous period", "period over period", "mom", "month over month", "month-over-month",
                   "wow", "week over week", "qoq", "quarter over quarter", "比上月", "较上月", "比上周",
                   "较上周")
SAME_PERIOD_LAST_YEAR = ("同比", "去年同期", "比去年", "较去年", "year over year", "year-over-year", "yoy",
                         "vs last year", "versus last year", "compared to last year", "compared with last year",
                         "same period last year")
# "上个月和前一个月": the second period is the one just before the first
PREVIOUS_MARKERS = ("前一个月", "前一月", "前一周", "前一个星期", "前一个季度", "前一季度", "前一年", "上一期",
                    "之前一个月", "再上个月", "the month before", "the previous month", "the week before",
                    "the previous week", "the quarter before", "the year before", "the previous period")
COMPARE_WORDS = ("对比", "比较", "相比", "vs", "versus", "compare", "compared", "comparison")

CHART_WORDS: dict[str, str] = {
    "饼图": "pie", "饼状图": "pie", "pie": "pie", "pie chart": "pie",
    "折线图": "line", "折线": "line", "曲线": "line", "line chart": "line", "line": "line",
    "柱状图": "bar", "柱形图": "bar", "条形图": "bar", "柱图": "bar", "bar chart": "bar", "bar": "bar",
    "表格": "table", "明细表": "table", "table": "table",
}
SHARE_WORDS = ("占比", "份额", "比重", "构成", "share", "proportion", "breakdown of")

NEGATION_WORDS = ("除了", "除去", "不含", "不包括", "排除", "剔除", "去掉", "除", "excluding", "except",
                  "other than", "not including", "without", "exclude")
TOTAL_WORDS = ("合计", "总共", "一共", "总计", "加起来", "合起来", "total", "combined", "altogether", "in total")

GREATER = ("超过", "大于", "高于", "多于", "以上", "不少于", "至少", "不低于", "more than", "greater than",
           "over", "above", "exceeding", "exceeds", "at least", ">=", ">")
LESS = ("低于", "小于", "少于", "不到", "不足", "以下", "不超过", "至多", "less than", "below", "under",
        "fewer than", "at most", "<=", "<")
INCLUSIVE = ("不少于", "至少", "不低于", "at least", ">=", "不超过", "至多", "at most", "<=", "以上", "以下")

# Follow-up markers: the question edits the previous one rather than starting anew.
FOLLOW_UP_WORDS = ("那", "那么", "那按", "换成", "改成", "换为", "改为", "只看", "只要", "再看", "再按", "也看",
                   "去掉", "不要", "取消", "加上", "what about", "how about", "and for", "instead", "only",
                   "now", "also", "same for", "switch to", "change to", "just", "remove", "drop", "as a")
REMOVE_TIME_WORDS = ("去掉时间限制", "去掉时间", "不限时间", "取消时间限制", "不要时间限制", "全部时间", "所有时间",
                     "历史全部", "全部历史", "all time", "all-time", "remove the time", "drop the time",
                     "no time limit", "without the time", "any time")
REMOVE_FILTER_WORDS = ("去掉筛选", "取消筛选", "不要筛选", "去掉过滤", "全部渠道", "remove the filter",
                       "remove filters", "drop the filter", "no filter")

# Words that carry no meaning for the query (Chinese function words, polite filler, English stop words).
STOP_WORDS = frozenset("""
的 了 吗 呢 吧 啊 呀 嘛 哦 是 有 在 和 与 及 以及 跟 或 或者 还是 都 也 就 又 把 被 给 让 对 从 到 为 于 按照 按 各 每 各个
每个 不同 分别 各自 请 请问 麻烦 帮 帮我 帮忙 我 我们 咱们 你 您 想 想要 要 需要 知道 了解 看 看看 看下 看一下 瞧瞧 查 查询
查一下 查下 统计 统计一下 计算 算 算一下 告诉 列出 列一下 展示 显示 给出 出 一下 下 多少 几 几个 是多少 有多少 多大 怎么样
怎样 如何 什么 啥 情况 数据 数值 数字 指标 结果 具体 一共 大概 大约 目前 现在 当前 这 那 这个 那个 这些 那些 个 款 位 家 名 人
单 件 元 块 钱 元钱 次 笔 吗 么 呢 哪 里 哪里 上 中 下 内 间 期间 时候 时 里面 之间 以来 以内 至今 截至 为止 来 的话 一样 比较
对比 相比 分析 对应 相应 汇总 整体 总体 总的 全部 所有 全 整个 好 高 低 多 少 大 小 top 前 后 名次 排 排名 排行 前列 地区 区域
地方 市场 方面 部分 群体 客户 用户 顾客 人群 哪个 哪些 哪一个 是否 能 能否 可以 会 怎么 为什么 多久 期 当期 本期 拆分 拆 分 细分
分组 分布 维度 口径 按照 根据 依据 基于 再 还 还有 并且 而且 同时 另外 与否 单位 对于 关于 方面 排序 最 更 较 比 非常 很 挺
总 共 来看 来说 而言 相关 所在 所属 期内 的是 是哪 为准 一 二 三 四 五 六 七 八 九 十 两 第 年 月 日 天 周 号 季 半年 趋势 走势
变化 渠道上 上的 卖 卖出 卖了 买 买了 购买 下单 销售 成交 交易 销售的 卖出去 产生 带来 贡献 做 做了 实现 达到 达成 取得 获得
客户的 用户的 顾客的 量 数 额 率 值 金额 数量 总数 总量 总额 平均 均值 占 比例 增长 下降 提升 减少 涨 跌 多了 少了
a an the of for in on at by to from with and or is are was were be been being do does did done what
which who whom whose how many much show me give list tell display get got find see view please can could
would will should i we our us you your my it its this that these those there their they them per each
every all any some value values number numbers amount total data figure figures metric metrics report
about over during between across within since until vs versus than as into out up down more less
compare compared comparison break broken breakdown split grouped group sort sorted order ordered
rank ranked ranking top bottom best worst highest lowest most least ones one two three four five
six seven eight nine ten overall current currently now so far far just only also instead please
kindly let lets know want need look like was were has have had make made go going get getting
customer customers user users people shoppers consumers buyer-side across
""".split())

# Characters that begin no catalog word: a typo window starting with one is not a typo.
FUNCTION_CHARS = frozenset("的了和与及在是各每按从到对把被给让也都就又吗呢吧")
