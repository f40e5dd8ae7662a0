/* How long a long proposal takes to become a PDF (docs/performance.md,
 * "Documents"): a generated Markdown proposal of about 30 pages — chapters
 * of Chinese paragraphs with bold and italic, bullet and numbered lists and
 * tables, one of them over several pages — rendered by pdf_from_markdown
 * (src/api/pdf_doc.c) as many times as asked, after one render to warm up
 * (fontconfig's caches, the fonts opened). A benchmark, not a test: built
 * only when asked for (cmake --build BUILD --target bench_pdf).
 *
 * usage: bench_pdf [--runs N] [--chapters N] [--out FILE.pdf]
 * Prints the pages, the first render's time (fontconfig's set-up, the
 * fonts opened) and the mean and best of the N that follow. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/pdf_doc.h"
#include "core/buf.h"

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static const char paragraph[] =
    "本章说明项目的背景与目标。**东湖市水务集团有限公司**拟以“智慧营收”为抓手，统一营业收费、"
    "抄表与客户服务，*在一年内*实现营收数据的全流程贯通。方案遵循业务驱动、统一规划、分步实施"
    "的原则，优先采用标准功能，减少定制开发；对于 ERP、GIS 与 SCADA 等 existing systems，通过"
    "标准接口集成，保证数据口径一致。\n";

/* Chapter k: a heading, paragraphs, a bullet list, a numbered list and a table. */
static bf_result chapter(buf *md, int k, int rows)
{
    bf_result r = buf_printf(md, "## 第%d章 方案说明\n\n", k);
    for (int s = 1; r == BF_OK && s <= 6; s++) {
        r = buf_printf(md, "### %d.%d 分项说明\n\n%s\n%s\n", k, s, paragraph, paragraph);
        for (int i = 1; r == BF_OK && i <= 4; i++)
            r = buf_printf(md, "- 要点 %d：分阶段实施，按阶段成果投入，严格管理项目范围与变更\n",
                           i);
        if (r == BF_OK)
            r = buf_append_str(md, "\n");
        for (int i = 1; r == BF_OK && i <= 3; i++)
            r = buf_printf(md, "%d. 步骤 %d：调研、蓝图设计、系统建设、上线切换与持续支持\n", i, i);
        if (r == BF_OK)
            r = buf_append_str(md, "\n");
    }
    if (r == BF_OK)
        r = buf_append_str(md, "| 阶段 | 主要工作 | 阶段成果 | 金额（元） |\n|---|---|---|---:|\n");
    for (int i = 1; r == BF_OK && i <= rows; i++)
        r = buf_printf(md,
                       "| 阶段 %d | 系统配置、数据准备、必要的开发与测试、关键用户培训 | "
                       "测试报告 v%d | %d,%03d.00 |\n",
                       i, i, 10 + i * 7, i * 37 % 1000);
    return r == BF_OK ? buf_append_str(md, "\n") : r;
}

static bf_result proposal(buf *md, int chapters)
{
    bf_result r =
        buf_append_str(md, "# “东湖水务智慧营收一期”解决方案建议书\n\n"
                           "| 项目 | 内容 |\n|---|---|\n| 呈送 | 东湖市水务集团有限公司 |\n"
                           "| 日期 | 2026年12月5日 |\n\n");
    for (int k = 1; r == BF_OK && k <= chapters; k++)
        r = chapter(md, k, k == chapters ? 80 : 20);
    return r;
}

int main(int argc, char **argv)
{
    int runs = 20, chapters = 10;
    const char *out = NULL;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--runs") == 0)
            runs = atoi(argv[i + 1]);
        else if (strcmp(argv[i], "--chapters") == 0)
            chapters = atoi(argv[i + 1]);
        else if (strcmp(argv[i], "--out") == 0)
            out = argv[i + 1];
    }
    if (runs < 1 || chapters < 1) {
        fprintf(stderr, "usage: bench_pdf [--runs N] [--chapters N] [--out FILE.pdf]\n");
        return 2;
    }
    arena *a = arena_new(1 << 20);
    buf md;
    if (a == NULL)
        return 1;
    buf_init(&md, a, 16 << 20);
    if (proposal(&md, chapters) != BF_OK)
        return 1;
    pdf_doc_options opt = {.title = "解决方案建议书", .lang = "zh"};
    double total = 0, best = 1e9, cold = 0;
    pdf_doc d = {0};
    for (int i = 0; i <= runs; i++) { /* run 0 warms up */
        arena *each = arena_new(1 << 20);
        bf_error err = {0};
        double t0 = now_ms();
        if (each == NULL || pdf_from_markdown(each, md.data, md.len, &opt, &d, &err) != BF_OK) {
            fprintf(stderr, "bench_pdf: %s\n", err.message);
            return 1;
        }
        double ms = now_ms() - t0;
        if (i == 0)
            cold = ms;
        else {
            total += ms;
            best = ms < best ? ms : best;
        }
        if (i == runs && out) {
            FILE *f = fopen(out, "wb");
            if (f == NULL || fwrite(d.data, 1, d.len, f) != d.len || fclose(f) != 0) {
                fprintf(stderr, "bench_pdf: cannot write %s\n", out);
                return 1;
            }
        }
        arena_free(each);
    }
    printf("pdf: %d pages, %zu KiB of Markdown; the first (fonts found and opened) %.1f ms; "
           "%d runs: mean %.1f ms, best %.1f ms a document\n",
           d.pages, md.len / 1024, cold, runs, total / runs, best);
    arena_free(a);
    return 0;
}
