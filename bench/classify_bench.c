/*
 * classify_bench.c - throughput of the keyword matcher (src/chain/match.c)
 * against Hyperscan and against a naive memmem loop, on the names and
 * business scopes of generated enterprises. Run by bench/classify.sh.
 *
 *   classify_bench [--count N] [--chains DIR] [--chunk N] [--seed S]
 *
 * Fairness: the three engines get the same literal patterns (every distinct
 * keyword, name keyword and exclusion of the data/chains files, ASCII folded
 * to lower case as the classifier folds them, or a built-in list of about
 * 500 when there are no chain files) and the same texts
 * (name and scope of each enterprise, each scanned as its own block, as the
 * classifier does), and each counts every occurrence of every pattern
 * through a callback. Hyperscan is compiled from the literals with
 * hs_compile_lit_multi and plain flags (all matches, no start of match),
 * and scans in block mode, one hs_scan per text. The naive engine calls
 * memmem for each pattern over each text; it is so slow that it runs on a
 * sample (every chunk's first enterprises) and is compared there.
 *
 * Texts are generated in memory by the generator library in chunks (never
 * all N at once: 10M scopes would be 3 GB), on all cores, untimed; then
 * each engine scans the chunk on one thread, timed with the thread's CPU
 * clock, so the figures are per core and the generator's other threads
 * never overlap a measurement. The engines take turns going first from one
 * chunk to the next, so none always finds the chunk warm in cache.
 *
 * The hit counts must agree (matcher = Hyperscan on everything, matcher =
 * naive on the sample), else the program fails. Output: a markdown table
 * on stdout, details on stderr.
 */
#include <dirent.h>
#include <errno.h>
#include <hs/hs.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/alloc.h"
#include "base/strbuf.h"
#include "chain/match.h"
#include "gen/gen.h"

/* ---- patterns ---- */

/* The fallback: keywords of the kind the chain files hold, per track, plus
 * a few exclusions. Realistic wording from the 经营范围规范表述目录 and
 * the district's track names. */
static const char *const builtin_keywords[] = {
    /* 云计算 */
    "云计算", "云服务", "云平台", "云计算服务", "云计算装备技术服务", "云计算设备制造", "云计算设备销售",
    "云主机", "云存储", "云存储服务", "云基础设施", "公有云", "私有云", "混合云", "专有云", "边缘计算",
    "云原生", "容器云", "容器编排", "微服务", "中间件", "分布式数据库", "云数据库", "数据库管理系统",
    "低代码", "无服务器", "云操作系统", "操作系统", "基础软件", "软件即服务", "云办公", "多租户",
    "服务器制造", "服务器", "存储设备制造", "分布式存储", "超融合", "液冷服务器", "数据中心", "互联网数据中心",
    "机房托管", "服务器托管", "机柜租用", "算力中心", "算力服务", "算力租赁", "内容分发网络", "云安全",
    /* 大数据 */
    "大数据", "大数据服务", "数据处理", "数据处理服务", "数据处理和存储支持服务", "数据分析", "数据挖掘",
    "数据采集", "数据清洗", "数据标注", "数据治理", "数据交易", "数据资产", "数据要素", "数据中台",
    "数据仓库", "数据可视化", "数据安全", "数据库", "商业智能", "征信服务", "信用评估", "数据服务",
    "大数据分析", "大数据平台", "政务大数据", "工业大数据", "医疗大数据", "交通大数据", "地理信息",
    "地理信息系统", "遥感数据", "数字孪生", "城市大脑", "智慧城市", "数据存储", "数据备份", "隐私计算",
    "区块链", "区块链技术", "联邦学习",
    /* 人工智能 */
    "人工智能", "人工智能应用软件开发", "人工智能基础软件开发", "人工智能理论与算法软件开发",
    "人工智能公共数据平台", "人工智能行业应用系统集成服务", "人工智能硬件销售", "人工智能双创服务平台",
    "人工智能通用应用系统", "人工智能基础资源与技术平台", "智能机器人", "智能机器人的研发",
    "智能机器人销售", "服务消费机器人制造", "服务消费机器人销售", "工业机器人", "特殊作业机器人制造",
    "机器学习", "深度学习", "神经网络", "计算机视觉", "图像识别", "人脸识别", "语音识别", "语音合成",
    "自然语言处理", "知识图谱", "智能语音", "机器翻译", "大模型", "大语言模型", "生成式人工智能",
    "智能客服", "智能驾驶", "自动驾驶", "无人驾驶", "辅助驾驶", "车路协同", "智能网联汽车", "智能问答",
    "AI", "AI芯片", "人工智能芯片", "智能芯片", "类脑", "智能识别", "模式识别", "算法",
    /* 元宇宙 */
    "元宇宙", "虚拟现实", "增强现实", "混合现实", "扩展现实", "虚拟现实设备制造", "可穿戴智能设备制造",
    "可穿戴智能设备销售", "智能车载设备制造", "数字人", "虚拟人", "虚拟数字人", "三维建模", "全息",
    "数字藏品", "虚拟偶像", "沉浸式", "体感", "动作捕捉", "空间计算", "VR", "AR", "头戴显示",
    "虚拟仿真", "数字展厅", "云游戏",
    /* 平台经济 */
    "平台经济", "互联网平台", "网络平台", "互联网销售", "互联网销售（除销售需要许可的商品）",
    "电子商务", "跨境电商", "直播电商", "网络直播", "直播带货", "社交电商", "网络货运", "网约车",
    "外卖", "即时配送", "共享经济", "在线教育", "在线医疗", "互联网信息服务", "信息网络传播视听节目",
    "网络文化经营", "第二类增值电信业务", "第一类增值电信业务", "在线数据处理与交易处理业务",
    "互联网数据服务", "供应链管理服务", "数字营销", "网络营销", "移动支付", "第三方支付", "网络技术服务",
    "互联网安全服务",
    /* 空天地海 */
    "卫星", "卫星导航", "卫星通信", "卫星遥感", "卫星互联网", "卫星技术综合应用系统", "卫星移动通信终端",
    "卫星导航服务", "卫星遥感数据处理", "北斗", "北斗导航", "遥感", "遥感测绘", "航天", "商业航天",
    "航天器", "运载火箭", "火箭发动机", "航天设备制造", "航空", "航空器", "通用航空", "民用航空器零部件设计和生产",
    "无人机", "无人机制造", "无人机销售", "智能无人飞行器制造", "智能无人飞行器销售", "民用无人机",
    "低空经济", "低空飞行", "飞行服务", "航空测绘", "海洋", "海洋工程", "海洋工程装备制造",
    "海洋工程装备研发", "海洋环境监测与探测装备制造", "海洋能", "船舶", "船舶制造", "船舶设计",
    "水下机器人", "深海", "海底", "海洋观测", "雷达", "导航终端", "测绘服务",
    /* 生命健康 */
    "生物医药", "生物制药", "医药", "药品生产", "药品批发", "药品零售", "药品委托生产", "药品进出口",
    "化学药", "中药", "中成药", "中药饮片", "生物制品", "疫苗", "抗体", "基因", "基因检测", "基因测序",
    "细胞治疗", "细胞技术研发和应用", "干细胞", "医学研究和试验发展", "临床试验", "医药研发", "药物研发",
    "生物技术", "生物科技", "合成生物", "生物基材料", "医疗器械", "第一类医疗器械生产",
    "第一类医疗器械销售", "第二类医疗器械生产", "第二类医疗器械销售", "第三类医疗器械生产",
    "第三类医疗器械经营", "医疗设备", "医疗设备租赁", "医学影像", "体外诊断", "诊断试剂", "康复辅具",
    "康复辅具适配服务", "医用耗材", "植入", "手术机器人", "数字健康", "互联网医院", "远程医疗", "智慧医疗",
    "健康管理", "健康咨询服务", "医疗服务", "医院管理", "养老服务", "护理机构服务", "医学检验",
    "检验检测服务", "动物诊疗", "兽药生产", "保健食品", "特殊医学用途配方食品", "营养健康", "精准医疗",
    "医疗人工智能", "医疗信息化",
    /* 智能制造 */
    "智能制造", "工业互联网", "工业自动控制系统装置制造", "工业自动控制系统装置销售", "智能基础制造装备制造",
    "智能基础制造装备销售", "工业机器人制造", "工业机器人销售", "工业机器人安装、维修",
    "增材制造", "3D打印", "数控机床", "机床", "智能仪器仪表制造", "智能仪器仪表销售",
    "传感器", "传感器制造", "传感器销售", "伺服", "减速器", "工业控制计算机及系统制造",
    "智能控制系统集成", "智能物料搬运装备销售", "物料搬运装备制造", "智能仓储装备销售", "智能输配电及控制设备销售",
    "工业软件", "工业设计服务", "数字化车间", "智能工厂", "机器视觉", "激光", "激光打标", "精密",
    "通用设备制造（不含特种设备制造）", "专用设备制造（不含许可类专业设备制造）", "电机及其控制系统研发",
    "新能源汽车", "新能源汽车整车销售", "汽车零部件及配件制造", "动力电池", "电池制造", "储能",
    "储能技术服务", "光伏设备及元器件制造", "风力发电", "氢能", "充电桩", "机电耦合系统研发",
    /* 数字文化 */
    "数字文化", "数字内容制作服务（不含出版发行）", "数字内容", "网络视听", "短视频", "网络剧", "微短剧",
    "动漫", "动漫游戏开发", "动画", "漫画", "游戏", "网络游戏", "电子游戏", "游戏开发", "游戏运营",
    "电竞", "电子竞技", "影视", "影视制作", "电影摄制服务", "电影制片", "电影发行", "广播电视节目制作经营",
    "文艺创作", "数字出版", "网络文学", "有声读物", "音乐制作", "录音制作", "演出经纪", "文化艺术交流",
    "组织文化艺术交流活动", "文化创意", "创意设计", "数字创意", "虚拟拍摄", "特效", "后期制作",
    "摄像及视频制作服务", "版权", "版权代理",
    /* 集成电路 */
    "集成电路", "集成电路设计", "集成电路制造", "集成电路销售", "集成电路芯片设计及服务",
    "集成电路芯片及产品制造", "集成电路芯片及产品销售", "芯片", "芯片设计", "芯片制造", "芯片封装",
    "芯片测试", "半导体", "半导体器件专用设备制造", "半导体器件专用设备销售", "半导体分立器件制造",
    "半导体照明器件制造", "电子专用材料制造", "电子专用材料研发", "电子元器件制造", "电子元器件批发",
    "晶圆", "硅片", "光刻", "光刻胶", "封装测试", "封测", "EDA", "IP核", "射频", "射频芯片",
    "存储芯片", "功率半导体", "功率器件", "模拟芯片", "传感器芯片", "微电子", "电子元器件与机电组件设备制造",
    "显示器件制造", "光电子器件制造", "光电子器件销售", "电力电子元器件制造", "GPU", "CPU", "FPGA",
    "MEMS", "SoC", "MCU",
    /* 现代服务业 */
    "现代服务业", "软件开发", "软件销售", "信息系统集成服务", "信息技术咨询服务", "信息系统运行维护服务",
    "计算机系统服务", "网络与信息安全软件开发", "物联网技术服务", "物联网应用服务", "物联网设备制造",
    "5G通信技术服务", "通信设备制造", "移动通信设备制造", "光通信设备制造", "卫星通信服务",
    "科技中介服务", "知识产权服务", "专利代理", "技术转让", "科技推广和应用服务", "工程和技术研究和试验发展",
    "自然科学研究和试验发展", "检验检测", "认证服务", "标准化服务", "计量服务", "人力资源服务",
    "企业管理咨询", "财务咨询", "融资咨询服务", "法律服务", "会计", "审计", "供应链", "物流",
    "国际货物运输代理", "仓储服务", "融资租赁", "商业保理", "创业空间服务", "孵化器", "会议及展览服务",
    "金融信息服务", "金融科技", "保险经纪", "资产管理", "股权投资", "私募",
    /* 数字经济核心产业 and more */
    "计算机整机制造", "计算机零部件制造", "计算机外围设备制造", "计算机软硬件及外围设备制造",
    "计算机软硬件及辅助设备批发", "计算机软硬件及辅助设备零售", "通信设备销售", "网络设备制造",
    "网络设备销售", "电子产品销售", "电子产品制造", "智能家庭消费设备制造", "智能家庭消费设备销售",
    "数字视频监控系统制造", "数字视频监控系统销售", "安防设备制造", "信息安全设备制造",
    "信息安全设备销售", "电线、电缆经营", "光纤制造", "光缆制造", "电子测量仪器制造", "智能车载设备销售",
    "互联网设备制造", "互联网设备销售", "软件外包服务", "数字技术服务", "数字文化创意软件开发",
    "数字文化创意技术装备销售", "数字广告", "电子政务", "智慧农业", "智慧交通", "智慧物流",
    "智慧教育", "智慧社区", "智能家居", "智能穿戴", "智能终端", "智能硬件", "智能安防", "智能电网",
    /* exclusions */
    "芯片销售", "芯片贸易", "服务器销售", "服务器租赁", "存储设备销售", "云南", "数据中心化",
    "技术服务、技术开发、技术咨询、技术交流、技术转让、技术推广", "信息咨询服务（不含许可类信息咨询服务）",
    "医疗器械销售", "游戏机销售", "玩具销售", "日用百货销售", "办公用品销售", "五金产品零售",
    "五金产品批发", "机械设备销售", "汽车新车销售", "房地产", "餐饮服务", "食品销售", "酒类经营",
    "农业", "养殖", "种植", "建筑", "装饰", "装修", "劳务服务", "保洁服务", "家政服务",
};

/* Suffixes that turn the built-in terms into a larger list of the same
 * shape, for match_memory at ~3,000 patterns. */
static const char *const suffixes[] = {
    "研发", "制造", "销售", "技术服务", "技术开发", "设计", "系统集成", "应用",
};

struct patterns {
    char **s;
    size_t *len;
    size_t n, alloc;
};

static void patterns_add(struct patterns *p, const char *s, size_t len)
{
    size_t i;
    if (!len || len > MATCH_MAX_PATTERN)
        return;
    if (p->n == p->alloc) {
        p->alloc = p->alloc ? p->alloc * 2 : 256;
        p->s = xrealloc(p->s, p->alloc * sizeof(*p->s));
        p->len = xrealloc(p->len, p->alloc * sizeof(*p->len));
    }
    p->s[p->n] = xstrndup(s, len);
    /* ASCII folded to lower case, as the classifier folds keywords and
     * text alike */
    for (i = 0; i < len; i++)
        if (p->s[p->n][i] >= 'A' && p->s[p->n][i] <= 'Z')
            p->s[p->n][i] = (char)(p->s[p->n][i] - 'A' + 'a');
    p->len[p->n++] = len;
}

static void patterns_free(struct patterns *p)
{
    size_t i;
    for (i = 0; i < p->n; i++)
        free(p->s[i]);
    free(p->s);
    free(p->len);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* One pattern per distinct keyword, as the classifier adds them (a keyword
 * shared by several nodes is one pattern mapped to all of them). */
static void patterns_dedup(struct patterns *p)
{
    size_t i, k = 0;
    if (!p->n)
        return;
    qsort(p->s, p->n, sizeof(*p->s), cmp_str);
    for (i = 0; i < p->n; i++) {
        if (k && !strcmp(p->s[k - 1], p->s[i])) {
            free(p->s[i]);
            continue;
        }
        p->s[k] = p->s[i];
        p->len[k] = strlen(p->s[i]);
        k++;
    }
    p->n = k;
}

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r';
}

/* The values of one "keywords = a:4, b, c" line: split on , ， 、, trimmed,
 * weight suffix dropped. */
static void add_list(struct patterns *p, const char *v)
{
    while (*v) {
        const char *end = v, *next;
        size_t len;
        for (;;) {
            if (!*end) {
                next = end;
                break;
            }
            if (*end == ',') {
                next = end + 1;
                break;
            }
            if (!strncmp(end, "，", 3) || !strncmp(end, "、", 3)) {
                next = end + 3;
                break;
            }
            end++;
        }
        while (v < end && is_space(*v))
            v++;
        len = (size_t)(end - v);
        while (len && is_space(v[len - 1]))
            len--;
        {
            /* "name:4" -> "name" */
            size_t colon = len;
            while (colon && v[colon - 1] >= '0' && v[colon - 1] <= '9')
                colon--;
            if (colon && colon < len && v[colon - 1] == ':') {
                len = colon - 1;
                while (len && is_space(v[len - 1]))
                    len--;
            }
        }
        patterns_add(p, v, len);
        v = next;
    }
}

static void load_chain_file(struct patterns *p, const char *path)
{
    FILE *f = fopen(path, "r");
    char line[8192];
    if (!f) {
        fprintf(stderr, "%s: %s\n", path, strerror(errno));
        return;
    }
    while (fgets(line, sizeof(line), f)) {
        char *s = line, *eq, *h;
        size_t n = strlen(s);
        while (n && (s[n - 1] == '\n' || s[n - 1] == '\r'))
            s[--n] = 0;
        /* a comment: '#' at the start or after white space */
        for (h = s; *h; h++)
            if (*h == '#' && (h == s || is_space(h[-1]))) {
                *h = 0;
                break;
            }
        while (is_space(*s))
            s++;
        eq = strchr(s, '=');
        if (!eq)
            continue;
        n = (size_t)(eq - s);
        while (n && is_space(s[n - 1]))
            n--;
        if ((n == 8 && !strncmp(s, "keywords", 8)) || (n == 13 && !strncmp(s, "name_keywords", 13)) ||
            (n == 7 && !strncmp(s, "exclude", 7)))
            add_list(p, eq + 1);
    }
    fclose(f);
}

/* Every .chain file of dir, in name order; returns the number of files. */
static size_t load_chains(struct patterns *p, const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    char **names = NULL;
    size_t n = 0, alloc = 0, i;
    if (!d)
        return 0;
    while ((de = readdir(d))) {
        size_t len = strlen(de->d_name);
        if (len > 6 && !strcmp(de->d_name + len - 6, ".chain")) {
            ALLOC_GROW(names, n + 1, alloc);
            names[n++] = xstrdup(de->d_name);
        }
    }
    closedir(d);
    if (n)
        qsort(names, n, sizeof(*names), cmp_str);
    for (i = 0; i < n; i++) {
        struct strbuf path = STRBUF_INIT;
        strbuf_addf(&path, "%s/%s", dir, names[i]);
        load_chain_file(p, path.buf);
        strbuf_release(&path);
        free(names[i]);
    }
    free(names);
    return n;
}

/* ---- texts ---- */

/* One chunk of texts: names and scopes back to back, text k is
 * buf[off[k] .. off[k + 1]). */
struct chunk {
    char *buf;
    size_t cap;
    uint64_t *off;
    size_t ntexts;
};

struct gen_job {
    const struct gen *g;
    uint64_t first, count;  /* enterprises */
    struct chunk out;       /* this thread's part */
};

static void fold_ascii(char *s, size_t len)
{
    size_t i;
    for (i = 0; i < len; i++)
        if (s[i] >= 'A' && s[i] <= 'Z')
            s[i] = (char)(s[i] - 'A' + 'a');
}

static void chunk_add(struct chunk *c, const char *s, size_t len)
{
    uint64_t at = c->off[c->ntexts];
    if (at + len > c->cap) {
        c->cap = (at + len) * 2;
        c->buf = xrealloc(c->buf, c->cap);
    }
    memcpy(c->buf + at, s, len);
    fold_ascii(c->buf + at, len);
    c->off[++c->ntexts] = at + len;
}

static void *gen_worker(void *arg)
{
    struct gen_job *job = arg;
    struct gen_ent *e = xmalloc(sizeof(*e));
    uint64_t i;
    job->out.ntexts = 0;
    job->out.off[0] = 0;
    for (i = 0; i < job->count; i++) {
        gen_ent_make(job->g, job->first + i, e, 1);
        chunk_add(&job->out, e->name, strlen(e->name));
        chunk_add(&job->out, e->scope, strlen(e->scope));
    }
    free(e);
    return NULL;
}

#define GEN_THREADS 2

/* Enterprises [first, first + count) into c, generated on GEN_THREADS. */
static void make_chunk(const struct gen *g, uint64_t first, uint64_t count, struct gen_job *jobs,
                       struct chunk *c)
{
    pthread_t th[GEN_THREADS];
    uint64_t per = (count + GEN_THREADS - 1) / GEN_THREADS, at = first;
    size_t t, k;

    for (t = 0; t < GEN_THREADS; t++) {
        jobs[t].g = g;
        jobs[t].first = at;
        jobs[t].count = at - first + per <= count ? per : count - (at - first);
        at += jobs[t].count;
        if (pthread_create(&th[t], NULL, gen_worker, &jobs[t]) != 0) {
            fprintf(stderr, "pthread_create failed\n");
            exit(1);
        }
    }
    c->ntexts = 0;
    c->off[0] = 0;
    for (t = 0; t < GEN_THREADS; t++) {
        struct chunk *part = &jobs[t].out;
        pthread_join(th[t], NULL);
        if (c->off[c->ntexts] + part->off[part->ntexts] > c->cap) {
            c->cap = (c->off[c->ntexts] + part->off[part->ntexts]) * 2;
            c->buf = xrealloc(c->buf, c->cap);
        }
        memcpy(c->buf + c->off[c->ntexts], part->buf, part->off[part->ntexts]);
        for (k = 0; k < part->ntexts; k++) {
            c->off[c->ntexts + 1] = c->off[c->ntexts] + (part->off[k + 1] - part->off[k]);
            c->ntexts++;
        }
    }
}

/* ---- engines ---- */

static double thread_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int count_match(const struct match_hit *hit, void *ctx)
{
    (void)hit;
    ++*(uint64_t *)ctx;
    return 0;
}

static int count_hs(unsigned id, unsigned long long from, unsigned long long to, unsigned flags,
                    void *ctx)
{
    (void)id;
    (void)from;
    (void)to;
    (void)flags;
    ++*(uint64_t *)ctx;
    return 0;
}

static uint64_t run_matcher(const struct matcher *m, const struct chunk *c, size_t ntexts)
{
    uint64_t hits = 0;
    size_t k;
    for (k = 0; k < ntexts; k++)
        match_scan(m, c->buf + c->off[k], c->off[k + 1] - c->off[k], count_match, &hits);
    return hits;
}

static uint64_t run_hs(const hs_database_t *db, hs_scratch_t *scratch, const struct chunk *c,
                       size_t ntexts)
{
    uint64_t hits = 0;
    size_t k;
    for (k = 0; k < ntexts; k++)
        if (hs_scan(db, c->buf + c->off[k], (unsigned)(c->off[k + 1] - c->off[k]), 0, scratch,
                    count_hs, &hits) != HS_SUCCESS) {
            fprintf(stderr, "hs_scan failed\n");
            exit(1);
        }
    return hits;
}

static uint64_t run_naive(const struct patterns *p, const struct chunk *c, size_t ntexts)
{
    uint64_t hits = 0;
    size_t k, j;
    for (k = 0; k < ntexts; k++) {
        const char *t = c->buf + c->off[k];
        size_t len = c->off[k + 1] - c->off[k];
        for (j = 0; j < p->n; j++) {
            const char *at = t, *found;
            while ((found = memmem(at, len - (size_t)(at - t), p->s[j], p->len[j]))) {
                hits++;
                at = found + 1;
            }
        }
    }
    return hits;
}

static struct matcher *build_matcher(const struct patterns *p, double *seconds)
{
    struct matcher *m = match_new();
    struct error err = ERROR_INIT;
    double t0 = thread_seconds();
    size_t i;
    for (i = 0; i < p->n; i++)
        if (match_add(m, p->s[i], p->len[i], (uint32_t)i, &err) < 0) {
            fprintf(stderr, "%s\n", err.msg);
            exit(1);
        }
    if (match_compile(m, &err) < 0) {
        fprintf(stderr, "%s\n", err.msg);
        exit(1);
    }
    if (seconds)
        *seconds = thread_seconds() - t0;
    return m;
}

/* ---- main ---- */

static uint64_t parse_count(const char *s)
{
    char *end;
    unsigned long long v;
    errno = 0;
    v = strtoull(s, &end, 10);
    if (errno || end == s || *end || v == 0) {
        fprintf(stderr, "not a positive number: %s\n", s);
        exit(2);
    }
    return v;
}

int main(int argc, char **argv)
{
    const char *chains = "data/chains";
    uint64_t count = 1000000, seed = 1, chunk_size = 1u << 16, sample, first;
    struct patterns pats = { NULL, NULL, 0, 0 }, big = { NULL, NULL, 0, 0 };
    size_t nfiles, i, j;
    struct gen_options opt;
    struct gen *g;
    struct error err = ERROR_INIT;
    struct matcher *m, *mbig;
    hs_database_t *db = NULL;
    hs_scratch_t *scratch = NULL;
    hs_compile_error_t *hs_err = NULL;
    unsigned *ids, *flags;
    size_t db_size = 0, scratch_size = 0;
    struct gen_job jobs[GEN_THREADS];
    struct chunk c;
    double t_match = 0, t_hs = 0, t_naive = 0, t_compile_m, t_compile_hs, t0;
    uint64_t bytes = 0, naive_bytes = 0, h_match = 0, h_hs = 0, h_naive = 0, h_match_sample = 0;
    uint64_t round = 0;
    const char *source;

    for (i = 1; i < (size_t)argc; i++) {
        if (!strcmp(argv[i], "--count") && i + 1 < (size_t)argc)
            count = parse_count(argv[++i]);
        else if (!strcmp(argv[i], "--chains") && i + 1 < (size_t)argc)
            chains = argv[++i];
        else if (!strcmp(argv[i], "--chunk") && i + 1 < (size_t)argc)
            chunk_size = parse_count(argv[++i]);
        else if (!strcmp(argv[i], "--seed") && i + 1 < (size_t)argc)
            seed = parse_count(argv[++i]);
        else {
            fprintf(stderr, "usage: %s [--count N] [--chains DIR] [--chunk N] [--seed S]\n", argv[0]);
            return 2;
        }
    }

    nfiles = load_chains(&pats, chains);
    if (nfiles && pats.n) {
        source = "chain files";
    } else {
        for (i = 0; i < sizeof(builtin_keywords) / sizeof(builtin_keywords[0]); i++)
            patterns_add(&pats, builtin_keywords[i], strlen(builtin_keywords[i]));
        source = "built-in list (no data/chains/*.chain yet)";
        nfiles = 0;
    }
    patterns_dedup(&pats);
    /* ~3,000 patterns of the same shape for the memory figure */
    for (i = 0; i < pats.n; i++)
        patterns_add(&big, pats.s[i], pats.len[i]);
    for (j = 0; j < sizeof(suffixes) / sizeof(suffixes[0]) && big.n < 3000; j++)
        for (i = 0; i < pats.n && big.n < 3000; i++) {
            struct strbuf sb = STRBUF_INIT;
            strbuf_add(&sb, pats.s[i], pats.len[i]);
            strbuf_addstr(&sb, suffixes[j]);
            patterns_add(&big, sb.buf, sb.len);
            strbuf_release(&sb);
        }

    /* the engines */
    m = build_matcher(&pats, &t_compile_m);
    mbig = build_matcher(&big, NULL);
    ids = xmalloc(pats.n * sizeof(*ids));
    flags = xmalloc(pats.n * sizeof(*flags));
    for (i = 0; i < pats.n; i++) {
        ids[i] = (unsigned)i;
        flags[i] = 0;
    }
    t0 = thread_seconds();
    if (hs_compile_lit_multi((const char *const *)pats.s, flags, ids, pats.len, (unsigned)pats.n,
                             HS_MODE_BLOCK, NULL, &db, &hs_err) != HS_SUCCESS) {
        fprintf(stderr, "hs_compile_lit_multi: %s\n", hs_err ? hs_err->message : "?");
        return 1;
    }
    t_compile_hs = thread_seconds() - t0;
    if (hs_alloc_scratch(db, &scratch) != HS_SUCCESS) {
        fprintf(stderr, "hs_alloc_scratch failed\n");
        return 1;
    }
    hs_database_size(db, &db_size);
    hs_scratch_size(scratch, &scratch_size);

    memset(&opt, 0, sizeof(opt));
    opt.count = count;
    opt.seed = seed;
    opt.home = "330106";
    if (gen_new(&opt, &g, &err) < 0) {
        fprintf(stderr, "gen: %s\n", err.msg);
        return 1;
    }
    memset(jobs, 0, sizeof(jobs));
    for (i = 0; i < GEN_THREADS; i++) {
        jobs[i].out.off = xmalloc((chunk_size * 2 + 1) * sizeof(uint64_t));
    }
    memset(&c, 0, sizeof(c));
    c.off = xmalloc((chunk_size * 2 + 2) * sizeof(uint64_t));
    /* the naive engine sees about 1 in 500 enterprises, at least 2,000 */
    sample = count / 500 > 2000 ? count / 500 : 2000;

    fprintf(stderr, "patterns: %zu from %s (%zu files); %" PRIu64 " enterprises in chunks of %" PRIu64 "\n",
            pats.n, source, nfiles, count, chunk_size);
    for (first = 0; first < count; first += chunk_size, round++) {
        uint64_t n = count - first < chunk_size ? count - first : chunk_size;
        uint64_t nchunks = (count + chunk_size - 1) / chunk_size;
        size_t naive_ents = (size_t)((sample + nchunks - 1) / nchunks);
        uint64_t hm = 0, hh = 0;
        int e;
        make_chunk(g, first, n, jobs, &c);
        if (naive_ents > n)
            naive_ents = (size_t)n;
        bytes += c.off[c.ntexts];
        naive_bytes += c.off[naive_ents * 2];
        for (e = 0; e < 2; e++) {
            if ((round + (uint64_t)e) % 2 == 0) {
                t0 = thread_seconds();
                hm = run_matcher(m, &c, c.ntexts);
                t_match += thread_seconds() - t0;
            } else {
                t0 = thread_seconds();
                hh = run_hs(db, scratch, &c, c.ntexts);
                t_hs += thread_seconds() - t0;
            }
        }
        h_match += hm;
        h_hs += hh;
        t0 = thread_seconds();
        h_naive += run_naive(&pats, &c, naive_ents * 2);
        t_naive += thread_seconds() - t0;
        h_match_sample += run_matcher(m, &c, naive_ents * 2);
        if ((first / chunk_size) % 16 == 15)
            fprintf(stderr, "  %" PRIu64 " enterprises\n", first + n);
    }

    {
        double mb = (double)bytes / 1e6, nmb = (double)naive_bytes / 1e6;
        double r_m = mb / t_match, r_hs = mb / t_hs, r_n = nmb / t_naive;
        int ok = h_match == h_hs && h_match_sample == h_naive;
        printf("Patterns: %zu from %s. Texts: name and scope of %" PRIu64
               " generated enterprises, %.1f MB (naive: a sample of %.1f MB). One core, thread CPU time.\n\n",
               pats.n, source, count, mb, nmb);
        printf("| engine | MB/s | vs magnet | hits | compile | memory |\n");
        printf("|---|---:|---:|---:|---:|---:|\n");
        printf("| magnet match.c | %.0f | 1.00 | %" PRIu64 " | %.1f ms | %zu KiB |\n", r_m, h_match,
               t_compile_m * 1e3, match_memory(m) / 1024);
        printf("| Hyperscan %s | %.0f | %.2f | %" PRIu64 " | %.1f ms | %zu KiB (+%zu KiB scratch) |\n",
               hs_version(), r_hs, r_hs / r_m, h_hs, t_compile_hs * 1e3, db_size / 1024,
               scratch_size / 1024);
        printf("| naive memmem loop | %.1f | %.4f | %" PRIu64 " (sample; magnet %" PRIu64 ") | - | - |\n",
               r_n, r_n / r_m, h_naive, h_match_sample);
        printf("\nmagnet / Hyperscan = %.2f (goal >= 0.5); magnet / naive = %.0f (goal >= 20).\n",
               r_m / r_hs, r_m / r_n);
        printf("match_memory: %zu bytes for %zu patterns (%.0f B/pattern); %zu bytes for %zu patterns "
               "(the list extended with suffixes such as 研发/制造/销售).\n",
               match_memory(m), match_pattern_count(m), (double)match_memory(m) / (double)pats.n,
               match_memory(mbig), match_pattern_count(mbig));
        if (!ok) {
            printf("\nFAIL: hit counts disagree (magnet %" PRIu64 ", Hyperscan %" PRIu64
                   "; sample: magnet %" PRIu64 ", naive %" PRIu64 ")\n",
                   h_match, h_hs, h_match_sample, h_naive);
            return 1;
        }
    }

    for (i = 0; i < GEN_THREADS; i++) {
        free(jobs[i].out.off);
        free(jobs[i].out.buf);
    }
    free(c.off);
    free(c.buf);
    free(ids);
    free(flags);
    hs_free_scratch(scratch);
    hs_free_database(db);
    match_free(m);
    match_free(mbig);
    gen_free(g);
    patterns_free(&pats);
    patterns_free(&big);
    return 0;
}
