/* A Markdown document as the parts of a Word file (see docx.h): the
 * document walked through cmark-gfm's tree, written as WordprocessingML. */
#include "core/docx.h"

#include <cmark-gfm-core-extensions.h>
#include <cmark-gfm.h>
#include <pthread.h>
#include <stdbool.h>
#include <string.h>

#define W_NS "xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\""
#define R_NS "xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\""
#define XML_HEAD "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"

static pthread_once_t registered = PTHREAD_ONCE_INIT;

static void register_extensions(void)
{
    cmark_gfm_core_extensions_ensure_registered();
}

/* Text for XML: entities for & < > " ', and the control characters XML 1.0
 * cannot carry left out (a value typed with one must not spoil the file). */
static bf_result xml_text(buf *b, const char *s)
{
    bf_result r = BF_OK;
    for (const unsigned char *p = (const unsigned char *)s; p && *p && r == BF_OK; p++) {
        if (*p < 0x20 && *p != '\t' && *p != '\n' && *p != '\r')
            continue;
        const char *e = *p == '&'    ? "&amp;"
                        : *p == '<'  ? "&lt;"
                        : *p == '>'  ? "&gt;"
                        : *p == '"'  ? "&quot;"
                        : *p == '\'' ? "&apos;"
                                     : NULL;
        r = e ? buf_append_str(b, e) : buf_append(b, p, 1);
    }
    return r;
}

typedef struct writer {
    buf *b;
    bool bold, italic;
} writer;

static bf_result run(writer *w, const char *text)
{
    bf_result r = buf_append_str(w->b, "<w:r>");
    if (r == BF_OK && (w->bold || w->italic))
        r = buf_printf(w->b, "<w:rPr>%s%s</w:rPr>", w->bold ? "<w:b/>" : "",
                       w->italic ? "<w:i/>" : "");
    if (r == BF_OK)
        r = buf_append_str(w->b, "<w:t xml:space=\"preserve\">");
    if (r == BF_OK)
        r = xml_text(w->b, text);
    return r == BF_OK ? buf_append_str(w->b, "</w:t></w:r>") : r;
}

static bf_result inlines(writer *w, cmark_node *n)
{
    bf_result r = BF_OK;
    for (cmark_node *c = cmark_node_first_child(n); c != NULL && r == BF_OK;
         c = cmark_node_next(c)) {
        switch (cmark_node_get_type(c)) {
        case CMARK_NODE_TEXT:
        case CMARK_NODE_CODE:
        case CMARK_NODE_HTML_INLINE:
            r = cmark_node_get_type(c) == CMARK_NODE_HTML_INLINE
                    ? BF_OK /* raw HTML is left out, as in the HTML */
                    : run(w, cmark_node_get_literal(c));
            break;
        case CMARK_NODE_SOFTBREAK:
            r = run(w, " ");
            break;
        case CMARK_NODE_LINEBREAK:
            r = buf_append_str(w->b, "<w:r><w:br/></w:r>");
            break;
        case CMARK_NODE_STRONG: {
            bool was = w->bold;
            w->bold = true;
            r = inlines(w, c);
            w->bold = was;
            break;
        }
        case CMARK_NODE_EMPH: {
            bool was = w->italic;
            w->italic = true;
            r = inlines(w, c);
            w->italic = was;
            break;
        }
        default: /* links, strikethrough …: their text */
            r = inlines(w, c);
        }
    }
    return r;
}

/* A paragraph of n's inlines, with the properties ppr and a prefix (a list's mark). */
static bf_result paragraph(writer *w, cmark_node *n, const char *ppr, const char *prefix)
{
    bf_result r = buf_printf(w->b, "<w:p>%s", ppr ? ppr : "");
    if (r == BF_OK && prefix)
        r = run(w, prefix);
    if (r == BF_OK && n)
        r = inlines(w, n);
    return r == BF_OK ? buf_append_str(w->b, "</w:p>") : r;
}

static bf_result blocks(writer *w, cmark_node *n, int depth);

static bf_result list(writer *w, cmark_node *n, int depth)
{
    bool ordered = cmark_node_get_list_type(n) == CMARK_ORDERED_LIST;
    int k = ordered ? cmark_node_get_list_start(n) : 0;
    bf_result r = BF_OK;
    for (cmark_node *item = cmark_node_first_child(n); item && r == BF_OK;
         item = cmark_node_next(item), k++) {
        char mark[24], ppr[96];
        snprintf(mark, sizeof(mark), ordered ? "%d. " : "• ", k);
        snprintf(ppr, sizeof(ppr), "<w:pPr><w:ind w:left=\"%d\" w:hanging=\"360\"/></w:pPr>",
                 420 * (depth + 1));
        bool first = true;
        for (cmark_node *b = cmark_node_first_child(item); b && r == BF_OK;
             b = cmark_node_next(b)) {
            if (cmark_node_get_type(b) == CMARK_NODE_PARAGRAPH)
                r = paragraph(w, b, ppr, first ? mark : NULL);
            else
                r = blocks(w, b, depth + 1);
            first = false;
        }
    }
    return r;
}

static bf_result table(writer *w, cmark_node *n)
{
    bf_result r = buf_append_str(w->b, "<w:tbl><w:tblPr><w:tblStyle w:val=\"TableGrid\"/>"
                                       "<w:tblW w:w=\"5000\" w:type=\"pct\"/></w:tblPr>");
    bool header = true;
    for (cmark_node *row = cmark_node_first_child(n); row && r == BF_OK;
         row = cmark_node_next(row)) {
        r = buf_append_str(w->b, header ? "<w:tr><w:trPr><w:tblHeader/></w:trPr>" : "<w:tr>");
        for (cmark_node *cell = cmark_node_first_child(row); cell && r == BF_OK;
             cell = cmark_node_next(cell)) {
            w->bold = header;
            r = buf_append_str(w->b, "<w:tc>");
            if (r == BF_OK)
                r = paragraph(w, cell, NULL, NULL);
            if (r == BF_OK)
                r = buf_append_str(w->b, "</w:tc>");
        }
        w->bold = false;
        if (r == BF_OK)
            r = buf_append_str(w->b, "</w:tr>");
        header = false;
    }
    /* Word wants a paragraph between a table and what follows. */
    return r == BF_OK ? buf_append_str(w->b, "</w:tbl><w:p/>") : r;
}

static bf_result blocks(writer *w, cmark_node *n, int depth)
{
    switch (cmark_node_get_type(n)) {
    case CMARK_NODE_DOCUMENT:
    case CMARK_NODE_BLOCK_QUOTE: {
        bf_result r = BF_OK;
        for (cmark_node *c = cmark_node_first_child(n); c && r == BF_OK; c = cmark_node_next(c))
            r = blocks(w, c, depth);
        return r;
    }
    case CMARK_NODE_HEADING: {
        char ppr[64];
        int level = cmark_node_get_heading_level(n);
        snprintf(ppr, sizeof(ppr), "<w:pPr><w:pStyle w:val=\"Heading%d\"/></w:pPr>",
                 level < 1   ? 1
                 : level > 3 ? 3
                             : level);
        return paragraph(w, n, ppr, NULL);
    }
    case CMARK_NODE_PARAGRAPH:
        return paragraph(w, n, NULL, NULL);
    case CMARK_NODE_LIST:
        return list(w, n, depth);
    case CMARK_NODE_CODE_BLOCK: {
        bf_result r = buf_append_str(w->b, "<w:p>");
        if (r == BF_OK)
            r = run(w, cmark_node_get_literal(n));
        return r == BF_OK ? buf_append_str(w->b, "</w:p>") : r;
    }
    case CMARK_NODE_THEMATIC_BREAK:
        return buf_append_str(w->b, "<w:p/>");
    default:
        if (strcmp(cmark_node_get_type_string(n), "table") == 0)
            return table(w, n);
        return BF_OK; /* raw HTML blocks are left out */
    }
}

static const char content_types[] =
    XML_HEAD "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">"
             "<Default Extension=\"rels\" "
             "ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>"
             "<Default Extension=\"xml\" ContentType=\"application/xml\"/>"
             "<Override PartName=\"/word/document.xml\" ContentType=\"application/"
             "vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/>"
             "<Override PartName=\"/word/styles.xml\" ContentType=\"application/"
             "vnd.openxmlformats-officedocument.wordprocessingml.styles+xml\"/>"
             "<Override PartName=\"/word/header1.xml\" ContentType=\"application/"
             "vnd.openxmlformats-officedocument.wordprocessingml.header+xml\"/>"
             "<Override PartName=\"/word/footer1.xml\" ContentType=\"application/"
             "vnd.openxmlformats-officedocument.wordprocessingml.footer+xml\"/></Types>";

static const char package_rels[] =
    XML_HEAD "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/"
             "relationships\"><Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/"
             "officeDocument/2006/relationships/officeDocument\" Target=\"word/document.xml\"/>"
             "</Relationships>";

static const char document_rels[] =
    XML_HEAD "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/"
             "relationships\"><Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/"
             "officeDocument/2006/relationships/styles\" Target=\"styles.xml\"/>"
             "<Relationship Id=\"rId2\" Type=\"http://schemas.openxmlformats.org/officeDocument/"
             "2006/relationships/header\" Target=\"header1.xml\"/>"
             "<Relationship Id=\"rId3\" Type=\"http://schemas.openxmlformats.org/officeDocument/"
             "2006/relationships/footer\" Target=\"footer1.xml\"/></Relationships>";

/* Styles: Chinese text in 宋体 (SimSun), Latin in Calibri, headings 1-3, a grid table. */
static const char styles[] = XML_HEAD
    "<w:styles " W_NS "><w:docDefaults><w:rPrDefault><w:rPr><w:rFonts "
    "w:ascii=\"Calibri\" w:hAnsi=\"Calibri\" w:eastAsia=\"SimSun\" w:cs=\"Calibri\"/>"
    "<w:sz w:val=\"21\"/><w:lang w:val=\"en-US\" w:eastAsia=\"zh-CN\"/></w:rPr>"
    "</w:rPrDefault><w:pPrDefault><w:pPr><w:spacing w:after=\"120\" w:line=\"312\" "
    "w:lineRule=\"auto\"/></w:pPr></w:pPrDefault></w:docDefaults>"
    "<w:style w:type=\"paragraph\" w:default=\"1\" w:styleId=\"Normal\"><w:name "
    "w:val=\"Normal\"/></w:style>"
    "<w:style w:type=\"paragraph\" w:styleId=\"Heading1\"><w:name w:val=\"heading 1\"/>"
    "<w:basedOn w:val=\"Normal\"/><w:pPr><w:jc w:val=\"center\"/><w:spacing "
    "w:before=\"240\" w:after=\"240\"/><w:outlineLvl w:val=\"0\"/></w:pPr><w:rPr><w:rFonts "
    "w:eastAsia=\"SimHei\"/><w:b/><w:sz w:val=\"36\"/></w:rPr></w:style>"
    "<w:style w:type=\"paragraph\" w:styleId=\"Heading2\"><w:name w:val=\"heading 2\"/>"
    "<w:basedOn w:val=\"Normal\"/><w:pPr><w:spacing w:before=\"200\" w:after=\"120\"/>"
    "<w:outlineLvl w:val=\"1\"/></w:pPr><w:rPr><w:rFonts w:eastAsia=\"SimHei\"/><w:b/>"
    "<w:sz w:val=\"28\"/></w:rPr></w:style>"
    "<w:style w:type=\"paragraph\" w:styleId=\"Heading3\"><w:name w:val=\"heading 3\"/>"
    "<w:basedOn w:val=\"Normal\"/><w:pPr><w:outlineLvl w:val=\"2\"/></w:pPr><w:rPr><w:b/>"
    "<w:sz w:val=\"24\"/></w:rPr></w:style>"
    "<w:style w:type=\"table\" w:styleId=\"TableGrid\"><w:name w:val=\"Table Grid\"/>"
    "<w:tblPr><w:tblBorders><w:top w:val=\"single\" w:sz=\"4\" w:color=\"808080\"/>"
    "<w:left w:val=\"single\" w:sz=\"4\" w:color=\"808080\"/><w:bottom w:val=\"single\" "
    "w:sz=\"4\" w:color=\"808080\"/><w:right w:val=\"single\" w:sz=\"4\" "
    "w:color=\"808080\"/><w:insideH w:val=\"single\" w:sz=\"4\" w:color=\"808080\"/>"
    "<w:insideV w:val=\"single\" w:sz=\"4\" w:color=\"808080\"/></w:tblBorders>"
    "<w:tblCellMar><w:left w:w=\"80\" w:type=\"dxa\"/><w:right w:w=\"80\" "
    "w:type=\"dxa\"/></w:tblCellMar></w:tblPr></w:style></w:styles>";

static const char footer[] =
    XML_HEAD "<w:ftr " W_NS "><w:p><w:pPr><w:jc w:val=\"center\"/></w:pPr><w:r><w:fldChar "
             "w:fldCharType=\"begin\"/></w:r><w:r><w:instrText xml:space=\"preserve\"> PAGE "
             "</w:instrText></w:r><w:r><w:fldChar w:fldCharType=\"separate\"/></w:r><w:r><w:t>1"
             "</w:t></w:r><w:r><w:fldChar w:fldCharType=\"end\"/></w:r></w:p></w:ftr>";

static bf_result add_part(docx_parts *out, const char *name, const char *text, size_t len)
{
    if (out->n == DOCX_PARTS)
        return BF_ERR_INTERNAL;
    out->names[out->n] = name;
    out->texts[out->n] = text;
    out->lens[out->n++] = len;
    return BF_OK;
}

bf_result docx_from_markdown(arena *a, const char *md, size_t len, const char *title,
                             docx_parts *out)
{
    pthread_once(&registered, register_extensions);
    *out = (docx_parts){0};
    cmark_parser *p = cmark_parser_new(CMARK_OPT_DEFAULT);
    cmark_syntax_extension *ext = cmark_find_syntax_extension("table");
    if (p == NULL || ext == NULL || !cmark_parser_attach_syntax_extension(p, ext)) {
        if (p)
            cmark_parser_free(p);
        return BF_ERR_NOMEM;
    }
    cmark_parser_feed(p, md, len);
    cmark_node *doc = cmark_parser_finish(p);
    buf body, head;
    buf_init(&body, a, DOCX_MAX);
    buf_init(&head, a, 64 * 1024);
    writer w = {.b = &body};
    bf_result r = doc ? BF_OK : BF_ERR_NOMEM;
    if (r == BF_OK)
        r = buf_append_str(&body, XML_HEAD "<w:document " W_NS " " R_NS "><w:body>");
    if (r == BF_OK)
        r = blocks(&w, doc, 0);
    /* A4, 2.5 cm margins; the header and footer of every page. */
    if (r == BF_OK)
        r = buf_append_str(&body, "<w:sectPr><w:headerReference w:type=\"default\" r:id=\"rId2\"/>"
                                  "<w:footerReference w:type=\"default\" r:id=\"rId3\"/><w:pgSz "
                                  "w:w=\"11906\" w:h=\"16838\"/><w:pgMar w:top=\"1417\" "
                                  "w:right=\"1417\" w:bottom=\"1417\" w:left=\"1417\" "
                                  "w:header=\"851\" w:footer=\"992\" w:gutter=\"0\"/></w:sectPr>"
                                  "</w:body></w:document>");
    if (r == BF_OK)
        r = buf_append_str(&head, XML_HEAD "<w:hdr " W_NS "><w:p><w:pPr><w:jc w:val=\"right\"/>"
                                           "</w:pPr><w:r><w:rPr><w:sz w:val=\"18\"/></w:rPr>"
                                           "<w:t xml:space=\"preserve\">");
    if (r == BF_OK)
        r = xml_text(&head, title);
    if (r == BF_OK)
        r = buf_append_str(&head, "</w:t></w:r></w:p></w:hdr>");
    if (doc)
        cmark_node_free(doc);
    cmark_parser_free(p);
    if (r != BF_OK)
        return r;
    add_part(out, "[Content_Types].xml", content_types, sizeof(content_types) - 1);
    add_part(out, "_rels/.rels", package_rels, sizeof(package_rels) - 1);
    add_part(out, "word/_rels/document.xml.rels", document_rels, sizeof(document_rels) - 1);
    add_part(out, "word/styles.xml", styles, sizeof(styles) - 1);
    add_part(out, "word/header1.xml", head.data, head.len);
    add_part(out, "word/footer1.xml", footer, sizeof(footer) - 1);
    return add_part(out, "word/document.xml", body.data, body.len);
}
