"""The language: how Chinese and English ask questions, as closed, reviewed word lists by role.
Nothing here names a business: metrics, dimensions, values, unit words, verbs and named sets
come from the model and the glossary. A word not in a list, the model or the glossary is not
understood, and a question with such a word is asked back, never answered."""

from __future__ import annotations

# ---- words that carry no meaning for the query (function words, politeness, question frames) ----
FILLERS: tuple[str, ...] = (
    # particles, aspect and structural words
    "的", "地", "得", "了", "着", "过", "吗", "呢", "吧", "啊", "呀", "嘛", "哦", "哈", "噢", "么", "啦", "喔", "哇",
    "呗", "咯", "哒", "嗯", "诶", "捏", "滴", "之",
    # copulas, prepositions, conjunctions, adverbs of no consequence
    "是", "为", "在", "于", "从", "到", "把", "被", "给", "让", "对", "对于", "关于", "就", "都", "也", "又", "还",
    "才", "和", "与", "及", "以及", "跟", "或", "或者", "还是", "同", "并", "并且", "而且", "以", "来", "去", "得到",
    "有", "有的", "已经", "的话", "时候", "的时候", "当时", "一样", "这样", "那样",
    # requests and politeness
    "请", "请问", "麻烦", "麻烦你", "帮", "帮我", "帮忙", "给我", "我想", "我想知道", "我想看", "想看", "想知道", "想了解",
    "我要", "要", "需要", "看", "看看", "看下", "看一下", "瞧瞧", "瞅瞅", "查", "查查", "查一下", "查下", "查询", "查看",
    "统计", "统计下", "统计一下", "算", "算一下", "算下", "计算", "告诉我", "告诉", "列出", "列一下", "列下", "展示",
    "显示", "给出", "出", "拉", "拉一下", "拉下", "一下", "下", "了解", "了解一下", "知道", "谢谢", "多谢", "辛苦",
    "看一眼", "瞄一眼", "汇报", "汇总", "整理", "整理一下", "呈现", "说说", "说一下", "讲讲", "问一下", "问下",
    "一份", "给我一份", "来一份", "出一份", "整一份",
    # people and places of the asker
    "咱们", "咱", "我们", "我", "你", "您", "俺", "我司", "公司", "大家", "我们的", "咱们的", "岁", "岁的", "周岁",
    # question frames
    "什么", "啥", "分别是", "具体", "大概", "大约", "大致", "目前", "现在", "当前",
    "是不是", "是否", "有没有", "能不能", "可不可以", "可以", "能", "能否", "会不会", "到底", "究竟",
    # degree words that only stress ('涨了这么多')
    "这么多", "那么多", "这么", "那么", "这么大", "那么大", "so much", "that much",
    # determiners and pronouns
    "这", "这个", "那个", "这些", "那些", "这次", "那次", "这款", "那款", "这一", "那一", "该", "此", "其",
    # place and time postpositions
    "里", "里面", "中", "之中", "内", "之内", "以内", "上", "上面", "期间", "以来", "至今", "为止", "截至", "当天",
    "当日", "当月", "这段时间", "那段时间", "那天", "那几天", "时", "时期", "阶段", "期内",
    # nouns of no content in a data question
    "数据", "情况", "数字", "数值", "结果", "数", "数目", "水平", "表现", "指标", "成绩", "统计数据", "们",
    "全国", "country", "nationwide", "整体上", "东西", "任何东西", "主要", "重点", "给个", "带上", "带", "附上", "顺便",
    "用", "使用", "要用", "复盘", "周报", "月报", "日报", "周会", "月会", "那几个", "这几个", "那几家", "这几家",
    "那边", "这边", "方面", "地方", "那阵子", "这阵子", "那阵", "那场", "这场", "那次", "这次的", "那几场", "这几场", "吧", "取", "拿",
    # English
    "a", "an", "the", "of", "for", "in", "on", "at", "to", "from", "with", "and", "or", "is", "are", "was", "were",
    "be", "been", "being", "do", "does", "did", "done", "what", "what's", "whats", "who", "whom", "whose", "how",
    "show", "me", "give", "list", "tell", "display", "get", "got", "find", "see", "view", "please", "pls", "plz",
    "kindly", "can", "could", "would", "will", "should", "shall", "may i", "i", "we", "our", "ours", "us", "you",
    "your", "my", "it", "its", "it's", "this", "that", "these", "those", "there", "their", "they", "them", "let",
    "let's", "lets", "know", "want", "need", "like", "have", "has", "had", "make", "made", "go", "going", "look",
    "looking", "check", "pull", "pull up", "report", "about", "during", "across", "within", "since", "as", "so",
    "far", "so far", "just", "currently", "current", "now", "thanks", "thank you", "hi", "hey", "hello", "quick",
    "quickly", "real", "actually", "exactly", "roughly", "approximately", "about", "around", "live", "lives",
    "living", "based in", "located in", "stand", "stood", "look like", "looked", "numbers", "number", "figure", "figures", "data", "stats",
    "results", "result", "value", "values", "amount", "level", "levels", "here", "there's", "there're", "whether",
    "if", "was it", "were there", "any", "some", "all of", "out of", "at all", "ever", "overall", "come out to", "came to",
    "on earth", "then", "right", "ok", "okay", "guys", "team", "still", "anything", "something",
    "given", "given by", "left by", "written by", "over", "through", "via", "quick one", "quick question",
    "one more", "another one", "years old", "year old", "aged", "folks", "up to", "their",
    "in all", "everything", "is there", "are there", "among", "amongst", "into",
    "went", "went into", "go into", "goes into", "put into", "at the moment", "right now", "getting", "where",
    "that ran", "ran", "sitting", "together with", "whose", "on average", "quick q",
    # since a product or a campaign began: no limit on the period, the default
    "上线以来", "自上线以来", "上线至今", "上市以来", "上新以来", "开卖以来", "since launch", "since it launched",
    "since its launch", "since launching", "since it went live", "货",
)

# ---- roles -------------------------------------------------------------------------------------
# how much (an amount: money unless a unit says otherwise) and how many (a count)
QUANTITY_AMOUNT = ("多少", "多大", "多高", "多低", "how much", "amount of", "how much of", "how high", "how low")
QUANTITY_COUNT = ("几", "how many", "number of", "count of", "total number of", "how many of", "the number of")
CLASSIFIERS = ("个", "位", "名", "款", "种", "家", "条", "只", "次", "张", "类", "样", "场")
EVALUATION = ("怎么样", "咋样", "如何", "怎样", "好不好", "行不行", "咋", "厉害", "严重", "高不高", "多不多",
              "多还是少", "高还是低", "是高还是低", "涨还是跌", "more or less", "higher or lower", "up or down",
              "how is", "how was", "how are", "how were", "how did", "how does", "how's", "how is it going",
              "doing")

SUPERLATIVE_DESC = ("最高", "最多", "最大", "最火", "最贵", "第一", "冠军", "最牛", "最猛", "醉高", "highest", "most",
                    "the highest one", "highest one", "the biggest one", "biggest one",
                    "largest", "biggest", "greatest", "maximum", "max", "top one", "the top", "number one", "leading")
SUPERLATIVE_ASC = ("最低", "最少", "最小", "最便宜", "垫底", "倒数第一", "lowest", "least", "smallest", "fewest",
                   "the lowest one", "lowest one", "the smallest one", "smallest one",
                   "minimum", "min")
# best and worst: high or low as the metric says ('退款率最差' is the highest refund rate)
SUPERLATIVE_BEST = ("最好", "最强", "最佳", "最优", "best", "strongest", "top performing", "best performing",
                    "the best one", "best one")
SUPERLATIVE_WORST = ("最差", "最弱", "最烂", "worst", "weakest", "worst performing", "the worst one", "worst one")
COMPARATIVE_DESC = ("高", "多", "大", "更高", "更多", "更大", "higher", "more", "bigger", "larger", "greater", "高吗", "多吗",
                    "高些", "多些", "高一些", "多一些", "高出", "多出", "高不", "多不", "大不", "高不高", "多不多")
COMPARATIVE_ASC = ("低", "少", "小", "更低", "更少", "更小", "lower", "less", "fewer", "smaller", "低吗", "少吗", "低不",
                   "少不")
COMPARATIVE_BEST = ("好", "强", "更好", "更强", "好不", "better", "out perform", "outperform", "beat")
COMPARATIVE_WORST = ("差", "弱", "更差", "更弱", "worse")
RANK_ORDER = ("排名", "排行", "排行榜", "靠前", "排序", "从高到低", "从大到小", "降序", "排一下", "排个序", "排",
              "排排", "排个", "排下", "ranking", "rank", "ranked", "sorted", "descending", "ordered by", "sort",
              "biggest first", "largest first", "highest first", "most first",
              "sort by", "sorted by", "rank by", "ranked by")
RANK_ORDER_ASC = ("从低到高", "从小到大", "升序", "ascending", "lowest first", "smallest first", "least first")
# the least sold: the best-selling metric, from the bottom
POPULAR_LEAST = ("卖得最差", "卖的最差", "最不畅销", "卖得最少", "卖的最少", "最冷门", "最滞销", "滞销", "worst-selling",
                 "worst selling", "least popular", "sold the least", "slowest selling", "slowest-selling")
POPULAR = ("最喜欢", "最爱", "最畅销", "畅销", "卖得最好", "卖的最好", "卖得最多", "卖的最多", "买得最多", "买的最多",
           "最喜欢买", "最爱买", "最常买", "买最多",
           "最热销", "热销", "爆款", "最受欢迎", "best-selling", "best selling", "bestselling", "best sellers",
           "best seller", "most popular", "top selling", "top-selling", "sold the most", "sells the most",
           "most sold", "favorite", "favourite")
WHICH = ("哪个", "哪一个", "哪家", "哪款", "哪位", "哪一款", "哪种", "哪一种", "哪类", "哪一类", "哪座", "哪条", "哪",
         "谁", "哪一方", "哪边", "which", "which one", "who")
# a kind word asks for the type of the noun beside it ('各类型的活动' -> campaign type, '哪种券' -> coupon type)
KIND = ("类型", "种类", "类别", "哪种", "哪一种", "哪类", "哪一类", "各类", "各种", "各类型", "各种类型", "各个类型",
        "不同类型", "什么类型", "什么样的", "type",
        "types", "kind", "kinds", "which type", "what type", "which kind", "what kind", "type of", "kind of")
# all the things a part of a name names ('玻色因系列', 'the 玻色因 line')
SERIES = ("系列", "全系", "全系列", "那几款", "这几款", "几款", "那些款", "这类", "那类", "此类", "这一类", "这种", "series",
          "line", "range", "collection", "ones", "the ones")
# who or what the previous question was about ('她们今年客单价多少', 'how does that compare')
# the people a previous question counted ('这批人的LTV呢' after '他们主要分布在哪些城市'): the group, not its rows
ANAPHOR_GROUP = ("他们", "她们", "这些人", "这群人", "那些人", "这帮人", "这部分人", "这批", "那批", "这批人", "那批人",
                 "这类人", "那类人", "这类客户", "这些客户", "这批客户", "他们的", "她们的", "they", "them",
                 "those customers", "these customers", "those people", "these people", "this group", "that group",
                 "them all", "these folks", "those folks")
ANAPHOR = ("它们", "这部分", "这两个", "那两个", "这俩", "那俩", "each of them", "that figure", "that number",
           "those two", "these two", "both of them")
# 'which channel brought in the most of them': the most of the people counted before
OF_THEM = ("of them", "of those", "of these")
# the one thing the previous answer named ('它的退款率' after '哪个产品卖得最多')
ANAPHOR_TOP = ("它", "它的", "this one", "that one", "the top one", "第一名的", "排第一的", "there", "那里", "那儿", "那边")
WHICH_MANY = ("哪些", "哪几个", "哪几款", "哪几家", "哪几种", "which ones", "what are the")
# "which day / month ..." asks for a breakdown by date at that grain
WHICH_TIME: dict[str, str] = {
    "哪天": "day", "哪一天": "day", "哪日": "day", "哪一日": "day", "哪几天": "day", "which day": "day",
    "what day": "day", "which date": "day", "what date": "day",
    "哪周": "week", "哪一周": "week", "哪个星期": "week", "哪一个星期": "week", "which week": "week",
    "哪个月": "month", "哪月": "month", "哪一个月": "month", "哪个月份": "month", "哪几个月": "month",
    "which month": "month", "what month": "month",
    "哪个季度": "quarter", "哪季度": "quarter", "哪一季度": "quarter", "哪一个季度": "quarter", "哪季": "quarter",
    "which quarter": "quarter", "what quarter": "quarter",
    "哪年": "year", "哪一年": "year", "哪个年份": "year", "which year": "year", "what year": "year",
}

# comparisons: the period asked against the one before it / the same one a year earlier
PREVIOUS_PERIOD = ("环比", "较上期", "比上期", "vs previous period", "versus previous period", "period over period", "mom",
                   "month over month", "month-over-month", "wow", "week over week", "qoq", "quarter over quarter",
                   "比上月", "较上月", "比上周", "较上周", "比上个月", "较上个月", "跟上个月比", "和上个月比", "比前一期")
SAME_PERIOD_LAST_YEAR = ("同比", "比去年", "较去年", "跟去年比", "和去年比", "与去年比", "year over year", "year-over-year",
                         "yoy", "vs last year", "versus last year", "compared to last year", "compared with last year",
                         "compare with last year", "compare to last year", "compare it with last year",
                         "against last year", "vs the same period last year")
# the periods themselves: compared with when the question compares ('和去年同期比'), else the period
# meant instead ('那去年同期呢' after a question about this year)
PREVIOUS_PERIOD_NOUNS = ("上期", "上一期", "前一期", "previous period", "the period before", "the previous period")
SAME_PERIOD_NOUNS = ("去年同期", "去年同月", "去年同一个月", "去年的同一个月", "去年同季度", "去年同一季度", "去年同一时期",
                     "去年这个时候", "same period last year", "same month last year", "same quarter last year",
                     "same week last year", "same time last year", "same day last year", "same period a year ago",
                     "a year earlier", "a year ago", "the same quarter last year", "the same month last year",
                     "the same period last year", "the same time last year", "the same month a year ago",
                     "same month a year ago", "the same quarter a year ago", "same quarter a year ago",
                     "the same week a year ago", "the same month a year earlier", "the same period a year earlier")
# 'list the 30-34 customers': a listing verb before the people counted asks for who they are
LIST_VERBS = ("list", "列出", "列一下")
# a follow-up's period said of the one before ('这7天合计' is those 7 days; 'the previous 30 days'
# after 'the last 30 days' is the 30 before them)
THESE_DAYS = ("这", "these")
DAYS_BEFORE = ("前", "再往前", "往前", "previous", "prior")
DAYS_BEFORE_AFTER = ("before", "before that", "before it", "before then", "earlier", "prior")
# "上个月和前一个月": the second period is the one just before the first
PREVIOUS_MARKERS = ("前一个月", "前一月", "前一周", "前一个星期", "前一个季度", "前一季度", "前一年",
                    "之前一个月", "再上个月", "the month before", "the previous month", "the week before",
                    "the previous week", "the quarter before", "the year before", "the prior month", "the prior week",
                    "prior month", "previous month")
COMPARE = ("对比", "比较", "相比", "比", "比一下", "对比一下", "比较一下", "pk", "vs", "v.s.", "versus", "compare",
           "compared", "comparison", "against", "relative to", "than", "区别")
# how far apart two groups are ('满减券的核销率比无门槛券低多少', '高几个点')
DIFFERENCE = ("差多少", "差了多少", "差距", "相差", "差几个点", "几个点", "多少个点", "几个百分点", "百分点", "percentage points",
              "points", "in absolute terms", "how much more", "how much less", "how much higher", "how much lower",
              "by how much", "the gap", "gap")
CHANGE_UP = ("涨", "涨了", "增长", "上升", "提升", "增加", "多了", "升", "上涨", "grow", "grew", "growth", "increase",
             "increased", "rise", "rose", "up", "gained", "gain")
CHANGE_DOWN = ("跌", "跌了", "下降", "减少", "少了", "降了", "掉了", "掉", "降", "下滑", "下跌", "decrease", "decreased",
               "drop", "dropped", "fell", "fall", "down", "decline", "declined", "shrank", "shrink")
CHANGE = ("变化", "变化了", "有变化", "变了", "变动", "变动了", "波动", "change", "changed", "changes")

# ---- groups and negation ------------------------------------------------------------------------
COMPLEMENT = ("其他", "其它", "其余", "别的", "剩下的", "剩余的", "剩下", "其他的", "其它的", "其余的", "以外的", "之外的",
              "the rest", "the others", "others", "other", "everyone else", "everybody else", "everywhere else",
              "all other", "all others", "the rest of", "rest of", "non", "the rest of the country",
              "rest of the country", "其他地方", "其他地区")
EXCLUDE = ("除了", "除去", "除", "不含", "不包括", "不包含", "排除", "剔除", "去除", "扣除", "扣掉", "扣去", "减去", "减掉", "不算", "不计", "刨除", "刨掉", "刨去", "抛开", "撇开",
           "excluding", "except", "other than", "not including", "without", "exclude", "excluded", "minus", "ex",
           "not counting", "leaving out", "leave out", "apart from", "aside from", "except for", "but not", "outside of",
           "outside")
EXCLUDE_AFTER = ("以外", "之外", "除外", "不算在内", "外")
# the whole of a period, not the part of it that compares ('all of 2024', '去年全年')
WHOLE = ("全年", "整年", "整个", "一整年", "一年", "all of", "the whole of", "whole", "full year", "entire", "the full",
         "in full")
NOT = ("没", "没有", "未", "不曾", "非", "从没", "从未", "从来没", "从来没有", "一直没", "一直没有", "都没", "都没有", "也没",
       "也没有", "不", "never", "not", "haven't", "hasn't", "didn't", "did not", "have not", "has not",
       "don't", "doesn't", "do not", "does not", "no longer", "havent", "didnt", "hasnt", "aren't", "isn't",
       "are not", "is not", "arent", "isnt", "weren't", "wasn't")
# '不是学生的客户', '非天猫', "customers who aren't students": the group left out, not a deed not done
NOT_A_VALUE = ("不", "不是", "非", "not", "aren't", "isn't", "are not", "is not", "arent", "isnt")
# 一单都没买过, 一次防晒都没买过: not even one
NONE_EVEN_ONE = (r"一(?:单|件|次|笔|个|分钱)?(?:都|也)(?=没|不|未)|一(?:单|件|次|笔|个)(?=[^，,。？?!！]{1,10}?(?:都|也)(?:没|不|未))"
                 r"|一(?:单|件|次|笔)(?=没|未)")  # '一单没买过': not one
# negations that mean 'not once, ever' (从没买过面霜): the whole history, whatever period the question names
EVER_NOT = ("从没", "从未", "从来没", "从来没有", "从不", "never", "not ever")
# did or did not, as a split ('按是否买过面霜', '有没有买过面霜的各多少', 'by whether they bought cream')
WHETHER = ("是否", "有没有", "有无", "是不是", "whether", "if")
# one member, not a kind: '抖音拉新那个活动' is one of the 抖音 拉新 campaigns (asked which), not all of them
SINGULAR = ("那个", "这个", "那次", "这次", "那场", "这场", "那一次", "这一次", "那一场", "那期", "这期", "that")
# 'or' between values: either of them, one figure for both ('金卡或黑金的流失客户有多少'), unless a
# question asks which of them or sets them against each other
EITHER = ("或", "或者", "or", "either")
# each of the values, by the same people ('在天猫和京东都买过的客户', 'bought on both tmall and jd')
BOTH = ("都", "同时", "均", "both")
# words of the language whose sense here (bought again: a repeat purchase; no longer buying: lapsed)
# no rule reads: known, so never 'corrected' into a catalog word ('again' is not 'gain'), and never
# used, so a question with one is asked back
UNREAD = ("again", "anymore", "any more", "no longer", "once again")
# 'but' between what someone did and what they did not (买过精华但没买过面霜)
CONTRAST = ("但", "但是", "却", "可是", "but", "yet")

# ---- shapes of the answer ----------------------------------------------------------------------
TREND = ("趋势", "走势", "变化趋势", "变化情况", "曲线", "trend", "trends", "over time", "trajectory")
SHARE = ("占比", "份额", "比重", "构成", "结构", "占多少", "占了多少", "占", "几成", "比例", "各占",
         "share", "shares", "proportion", "percentage of", "percent of", "% of", "mix", "portion", "portion of",
         "fraction", "fraction of")
# percent words: a share, or only the unit of a rate ('复购率多少%', 'what percent is the refund rate')
PERCENT = ("百分之多少", "百分之几", "百分之", "百分比", "percent", "what percent", "percentage", "percentages", "in %",
           "as %", "as a %", "in percent", "as a percent", "as percent", "as percentages", "in percentages",
           "as a percentage", "in percentage", "what %", "%")
TOTAL = ("合计", "总共", "一共", "总计", "加起来", "合起来", "累计", "总和", "总", "整体", "总体", "加在一起", "一起",
         "together", "加总", "加", "plus", "total", "combined", "altogether",
         "in total", "sum", "cumulative", "overall total", "all together")
EACH = ("各自", "分别", "各", "每", "每个", "各个", "每一个", "逐个", "每家", "不同", "each", "every", "respectively",
        "separately", "individually", "per", "each of", "each of them", "for each of them", "for each")
BREAKDOWN = ("按", "按照", "分", "拆分", "拆开", "拆", "细分", "分组", "分布", "维度", "分开", "分成", "by", "split by",
             "break down", "break out", "breakdown of", "broken out",
             "broken down by", "break down by", "breakdown by", "grouped by", "group by", "split", "broken down",
             "break it down by", "break that down by", "break it down", "split it by", "split that by",
             "broken out by", "for each", "by each")
ONLY = ("只", "只有", "仅", "仅仅", "单看", "光看", "只留", "只保留", "就看", "仅看", "only", "just for", "solely")
GRAIN: dict[str, str] = {
    "按天": "day", "每天": "day", "每日": "day", "日度": "day", "逐日": "day", "按日": "day", "分天": "day",
    "天": "day", "日": "day", "日子": "day", "days": "day", "daily": "day", "by day": "day", "per day": "day", "each day": "day", "day by day": "day", "day": "day",
    "按周": "week", "每周": "week", "周度": "week", "逐周": "week", "分周": "week", "周": "week", "weeks": "week",
    "weekly": "week", "by week": "week", "per week": "week", "each week": "week", "week by week": "week",
    "week": "week",
    "按月": "month", "每月": "month", "每个月": "month", "月度": "month", "逐月": "month", "分月": "month",
    "各月": "month", "月份": "month", "月": "month", "months": "month", "monthly": "month", "by month": "month",
    "per month": "month", "each month": "month", "month by month": "month", "month": "month",
    "按季度": "quarter", "每季度": "quarter", "每个季度": "quarter", "季度": "quarter", "各季度": "quarter",
    "分季度": "quarter", "quarterly": "quarter", "by quarter": "quarter", "per quarter": "quarter",
    "each quarter": "quarter", "quarter by quarter": "quarter", "quarter": "quarter",
    "按年": "year", "每年": "year", "年度": "year", "各年": "year", "yearly": "year", "by year": "year",
    "annual": "year", "annually": "year", "per year": "year",
}
CHART: dict[str, str] = {
    "饼图": "pie", "饼状图": "pie", "pie": "pie", "pie chart": "pie",
    "折线图": "line", "折线": "line", "line chart": "line", "line graph": "line",
    "柱状图": "bar", "柱形图": "bar", "条形图": "bar", "柱图": "bar", "bar chart": "bar", "bar graph": "bar",
    "表格": "table", "明细表": "table", "table": "table",
}

# thresholds: 超过10万, more than 50k, 5%以上
GREATER = ("超过", "大于", "高于", "多于", "以上", "不少于", "至少", "不低于", "多过", "满", "more than", "greater than",
           "over", "above", "exceeding", "exceeds", "exceeded", "topped", "tops", "topping", "at least", ">=", ">", "higher than", "bigger than")
LESS = ("低于", "小于", "少于", "不到", "不足", "以下", "不超过", "至多", "less than", "below", "under", "fewer than",
        "at most", "<=", "<", "lower than", "smaller than")
INCLUSIVE = ("不少于", "至少", "不低于", "满", "at least", ">=", "不超过", "至多", "at most", "<=", "以上", "以下")
AMOUNT_UNITS = {"万": 1e4, "w": 1e4, "亿": 1e8, "千": 1e3, "k": 1e3, "百万": 1e6, "m": 1e6, "million": 1e6,
                "thousand": 1e3, "%": 0.01, "％": 0.01}
CURRENCY = "元"  # what ¥ before an amount says ('orders over ¥500')
RANK_COUNTERS = ("个", "款", "家", "名", "位", "种", "条", "大", "强", "类")

# ---- conversations -------------------------------------------------------------------------------
# a value added to those already asked about ('把抖音也加上', 'add Douyin too')
ALSO = ("也加上", "加上", "再加上", "加入", "也算上", "算上", "加个", "再加个", "加一个", "再加一个", "再来个", "再来一个", "add", "also add", "include", "also include", "too",
        "as well")
# the whole of a dimension, not each of its members ('所有渠道的GMV', 'total GMV of all channels')
ALL_OF = ("所有", "全部", "全体", "全", "整个", "all", "all the", "all of the", "across all", "all our")
# which of the choices offered ('第二个', 'the first one')
ORDINALS = {"第一个": 0, "第一": 0, "第1个": 0, "first": 0, "the first one": 0, "first one": 0, "第二个": 1, "第二": 1,
            "第2个": 1, "second": 1, "the second one": 1, "second one": 1, "第三个": 2, "第三": 2, "第3个": 2,
            "third": 2, "the third one": 2, "third one": 2, "第四个": 3, "第4个": 3, "fourth": 3}
# the latest of choices named with their dates ('2025年Q2沉睡客户召回')
LATEST = ("最新的", "最新那个", "最近的那个", "最近那个", "最近一次", "最后一个", "the latest one", "latest", "most recent",
          "the last one", "the newest")
FOLLOW_UP = ("那", "那么", "那按", "换成", "改成", "换为", "改为", "只看", "只要", "再看", "再按", "也看", "换个",
             "去掉", "不要", "取消", "加上", "我是说", "我的意思是", "我说的是", "我问的是", "是说", "指的是",
             "what about", "how about", "and for", "instead", "same for", "switch to", "change to", "now",
             "same thing for", "the same for", "same thing but for", "same question for", "do the same for",
             "同样看看", "同样的", "一样的看下",
             "i mean", "i meant", "meaning", "and", "also", "then", "ok", "okay", "what if",
             # drilling into the previous answer ('其中最低的是哪个', '里面女生多少', 'of those, ...')
             "其中", "这其中", "里面", "这里面", "那里面", "among them", "among those", "of them", "of those",
             "of these")
REMOVE_TIME = ("去掉时间限制", "去掉时间", "不限时间", "取消时间限制", "不要时间限制", "全部时间", "所有时间", "历史全部",
               "时间限制也去掉", "时间限制去掉", "时间也去掉", "不看时间", "不要时间", "drop the date filter",
               "remove the date filter", "drop the date", "no date filter", "without the date filter",
               "drop the time filter", "remove the time filter", "drop the period",
               "全部历史", "all time", "all-time", "remove the time", "drop the time", "no time limit",
               "without the time", "any time", "ever since")
REMOVE_FILTER = ("去掉筛选", "取消筛选", "不要筛选", "去掉过滤", "全部渠道", "remove the filter", "remove filters",
                 "drop the filter", "no filter", "without filters")

# ---- what is not answered (yet): asked back with what can be answered ----------------------------
UNSUPPORTED = ("为什么", "为啥", "原因", "归因", "怎么回事", "啥原因", "什么原因", "预测", "预估", "预计", "预判",
               "推测", "下个月", "下周", "明年", "明天", "下季度", "导出", "名单", "明细", "清单", "列表", "留存",
               "同期群", "why", "reason", "reasons", "cause", "caused", "drivers", "driver", "forecast",
               "predict", "prediction", "projection", "next month", "next week", "next year", "tomorrow",
               "export", "download", "retention", "cohort", "cohorts")

# the negations a value's name may hold ('加购未付款', 'non-member'): a part without them is no part of it
NAME_NEGATIONS = ("未", "没", "不", "无", "非")

# ---- requests to change data: refused, the service only reads ------------------------------------
WRITE = ("删除", "删掉", "删了", "删去", "删一下", "删", "清空", "清除", "清掉", "清理掉", "插入", "新增一条", "添加一条",
         "加一条", "录入", "写入", "导入", "篡改", "覆盖", "回滚", "作废", "重置", "改成", "改为", "修改", "更新成",
         "更新为", "更新", "设为", "设置为", "设置成", "调成", "调整为", "调为", "改一下", "修正", "纠正", "替换",
         "delete", "remove", "drop", "truncate", "insert", "update", "alter", "overwrite", "wipe", "erase", "purge",
         "modify", "edit", "change", "set", "fix", "correct", "rename", "replace", "reset", "clear", "add a row",
         "add an order", "add a record", "create", "grant", "revoke", "merge", "upsert")
# verbs that only write: enough on their own
WRITE_ONLY = ("删除", "删掉", "删了", "删去", "删一下", "清空", "清除", "清掉", "清理掉", "插入", "新增一条", "添加一条",
              "新增一个", "添加一个", "加一条", "加一个", "加到", "加进", "写进", "存进", "录入", "写入", "篡改", "作废",
              "取消掉", "延长", "缩短", "新建", "创建", "拉黑", "冻结", "解冻", "封禁", "群发", "推送给", "发送给", "标记为",
              "标记成", "标记", "合并", "撤回", "改回", "隐藏", "屏蔽", "补录", "下架", "上架", "作废掉", "delete",
              "truncate", "bump", "mark", "text", "email", "sms", "notify", "archive", "hide", "ban", "block",
              "assign", "merge", "insert", "wipe", "erase", "purge", "upsert", "overwrite", "drop table",
              "alter table", "drop the table", "add a row", "add an order", "add a record", "add a new", "新表", "存成", "存为", "存到",
              "保存为", "保存成", "保存到", "少录", "多录", "漏录", "录错", "录少", "录多", "补录上", "new table", "save as", "save this", "save it", "save them", "save the")
# a change to a stored value ('会员等级都给升到金卡', '售价调到999'), when a value or a number follows; 'GMV升到多少了' asks
WRITE_SETS_TO = ("调到", "调整到", "调成", "降成", "降为", "降到", "升成", "升为", "升到", "降级为", "升级为", "改回", "设为",
                 "设成", "记为", "记成", "标为", "标成", "登记为", "改记为")
# operations on stored things, said as a command ('取消上个月所有待付款订单', 'close the 618 campaign'): a write
# when the question opens with one and asks nothing ('取消的订单有多少' names a status and asks)
WRITE_COMMANDS = ("取消", "退掉", "退款", "退回", "关闭", "关掉", "暂停", "停掉", "停止", "下线", "核销", "启用", "停用",
                  "开启", "审核", "驳回", "cancel", "refund", "close", "pause", "stop", "shut down", "approve", "reject",
                  "ship", "redeem", "void", "reopen", "activate", "deactivate", "enable", "disable")
# politeness before a command ('请帮我取消…', 'please cancel …')
COMMAND_OPENERS = ("请", "麻烦", "帮我", "帮忙", "给我", "替我", "你", "直接", "马上", "立刻", "现在", "please", "can you",
                   "could you", "go ahead and", "now", "just")
# the marks of a question: a command that carries one asks ('核销了多少张')
QUESTION_MARKS = ("多少", "几", "哪", "吗", "呢", "么", "怎样", "如何", "什么", "啥", "是否", "有没有", "?", "？", "how",
                  "what", "which", "who", "whether", "did", "does", "do", "is", "are", "was", "were")
# sending something to people ('给沉睡客户发券', '向金卡会员推送短信', 'send a coupon to …')
SENDS = ("发券", "发优惠券", "发短信", "发消息", "发通知", "发邮件", "发红包", "推送", "推消息", "送券", "派券", "发个券",
         "发张券", "发一张券", "send a coupon", "send coupons", "send an email", "send a message", "send a text",
         "send an sms", "send them", "send out")
SEND_TO = ("给", "向", "对", "为", "to")
# objects that make a 'change' verb a write (a table, records, stored values) rather than a follow-up edit
WRITE_OBJECTS = ("表", "数据库", "记录", "这条", "那条", "数据", "订单", "测试", "所有", "全部", "库存", "id", "table",
                 "tables", "database", "record", "records", "row", "rows", "data", "all", "entries", "entry",
                 "order", "orders", "column", "columns", "value", "values", "customers", "customer", "coupons")
# SQL that writes, as typed ('DROP TABLE orders'); 'drop the time filter' edits the question
SQL_WRITE = (r"^\s*(?:delete\s+from|update\s+\S+\s+set|insert\s+(?:into|overwrite)|(?:drop|alter|create|truncate)\s+"
             r"(?:table|view|schema|database|index|sequence|macro|function)|truncate\s+\S+\s*;?\s*$|merge\s+into|"
             r"replace\s+into|upsert\s+into|grant|revoke|copy\s+\S+\s+(?:from|to)|attach|detach)\b")

# Common abbreviations, spelled out before reading
ABBREVIATIONS = {"avg": "average", "avg.": "average", "qty": "quantity", "amt": "amount", "pct": "percent",
                 "num": "number", "no.": "number", "yr": "year", "mo": "month", "wk": "week", "q'ty": "quantity",
                 "vs.": "vs", "w/o": "without", "qtr": "quarter", "qtrs": "quarters", "excl": "excluding",
                 "excl.": "excluding", "prev": "previous", "ytd": "this year", "mtd": "this month", "cust": "customers",
                 "ppl": "people", "smth": "something", "sth": "something", "rn": "right now", "thx": "thanks", "a/b": "ab"}
# English words of the language itself that a typo may hit (besides the catalog's words)
LANGUAGE_WORDS = ("month", "months", "week", "weeks", "quarter", "quarters", "year", "years", "yesterday", "today",
                  "days", "last", "previous", "average", "customers", "people", "which", "highest", "lowest",
                  "compare", "versus", "excluding", "between", "daily", "weekly", "monthly", "quarterly")
