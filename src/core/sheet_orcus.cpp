// The reading of a workbook or a CSV text by liborcus (see sheet.h): orcus
// calls an import factory of ours for every cell of every sheet; we keep the
// first sheet's cells and hand them to sheet.c. No exception leaves this file.
#include <orcus/config.hpp>
#include <orcus/exception.hpp>
#include <orcus/orcus_csv.hpp>
#include <orcus/orcus_xlsx.hpp>
#include <orcus/spreadsheet/import_interface.hpp>

#include <cmath>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

extern "C" {
#include "core/sheet_orcus.h"
}

namespace ss = orcus::spreadsheet;

namespace
{

struct shared_strings : ss::iface::import_shared_strings {
    std::vector<std::string> items;
    std::string segments;

    size_t append(std::string_view s) override
    {
        items.emplace_back(s);
        return items.size() - 1;
    }
    size_t add(std::string_view s) override
    {
        return append(s);
    }
    void set_segment_font(size_t) override
    {
    }
    void set_segment_bold(bool) override
    {
    }
    void set_segment_italic(bool) override
    {
    }
    void set_segment_font_name(std::string_view) override
    {
    }
    void set_segment_font_size(double) override
    {
    }
    void set_segment_font_color(ss::color_elem_t, ss::color_elem_t, ss::color_elem_t,
                                ss::color_elem_t) override
    {
    }
    void append_segment(std::string_view s) override
    {
        segments.append(s);
    }
    size_t commit_segments() override
    {
        items.push_back(segments);
        segments.clear();
        return items.size() - 1;
    }
};

struct first_sheet;

// A formula cell: its cached result, as the workbook's writer computed it,
// is its value (formulas are not computed here).
struct formula_result : ss::iface::import_formula {
    first_sheet *sheet = nullptr;
    ss::row_t row = 0;
    ss::col_t col = 0;
    std::string text;
    double number = 0;
    int kind = 0; // 0 none, 1 text, 2 number

    void set_position(ss::row_t r, ss::col_t c) override
    {
        row = r;
        col = c;
        kind = 0;
    }
    void set_formula(ss::formula_grammar_t, std::string_view) override
    {
    }
    void set_shared_formula_index(size_t) override
    {
    }
    void set_result_string(std::string_view v) override
    {
        text = v;
        kind = 1;
    }
    void set_result_value(double v) override
    {
        number = v;
        kind = 2;
    }
    void set_result_bool(bool v) override
    {
        text = v ? "TRUE" : "FALSE";
        kind = 1;
    }
    void set_result_empty() override
    {
        kind = 0;
    }
    void commit() override;
};

struct first_sheet : ss::iface::import_sheet {
    formula_result formula;
    const shared_strings *strings = nullptr;
    sheet_sink *sink = nullptr;
    bool keep = false; // only the first sheet's cells are kept

    void text(ss::row_t row, ss::col_t col, std::string_view s)
    {
        if (keep)
            sheet_sink_cell(sink, (size_t)row, (size_t)col, s.data(), s.size(), 0, false);
    }
    void set_auto(ss::row_t row, ss::col_t col, std::string_view s) override
    {
        text(row, col, s);
    }
    void set_string(ss::row_t row, ss::col_t col, ss::string_id_t id) override
    {
        if (strings && id < strings->items.size())
            text(row, col, strings->items[id]);
    }
    void set_value(ss::row_t row, ss::col_t col, double v) override
    {
        if (!keep || !std::isfinite(v))
            return;
        char s[32];
        int n = std::snprintf(s, sizeof(s), "%.15g", v);
        sheet_sink_cell(sink, (size_t)row, (size_t)col, s, (size_t)n, v, true);
    }
    void set_bool(ss::row_t row, ss::col_t col, bool v) override
    {
        text(row, col, v ? "TRUE" : "FALSE");
    }
    void set_date_time(ss::row_t row, ss::col_t col, int y, int mo, int d, int h, int mi,
                       double sec) override
    {
        char s[40];
        int n =
            std::snprintf(s, sizeof(s), "%04d-%02d-%02d %02d:%02d:%02d", y, mo, d, h, mi, (int)sec);
        text(row, col, std::string_view(s, (size_t)n));
    }
    void set_format(ss::row_t, ss::col_t, size_t) override
    {
    }
    void set_format(ss::row_t, ss::col_t, ss::row_t, ss::col_t, size_t) override
    {
    }
    void fill_down_cells(ss::row_t, ss::col_t, ss::row_t) override
    {
    }
    ss::iface::import_formula *get_formula() override
    {
        formula.sheet = this;
        return &formula;
    }
    ss::range_size_t get_sheet_size() const override
    {
        return ss::range_size_t{1048576, 16384};
    }
};

// A1 addresses ("B12", "$B$12") and ranges ("A1:C3") of the sheet being
// read, as orcus asks for them (0-based); anything else is an error.
struct a1_resolver : ss::iface::import_reference_resolver {
    static ss::src_address_t parse(std::string_view s)
    {
        size_t i = 0;
        long col = 0, row = 0;
        if (i < s.size() && s[i] == '$')
            i++;
        size_t letters = i;
        for (; i < s.size() && s[i] >= 'A' && s[i] <= 'Z' && col < 100000; i++)
            col = col * 26 + (s[i] - 'A' + 1);
        if (i == letters)
            throw orcus::general_error("not a cell address");
        if (i < s.size() && s[i] == '$')
            i++;
        size_t digits = i;
        for (; i < s.size() && s[i] >= '0' && s[i] <= '9' && row < 10000000; i++)
            row = row * 10 + (s[i] - '0');
        if (i == digits || i != s.size() || row == 0)
            throw orcus::general_error("not a cell address");
        return ss::src_address_t{0, (ss::row_t)(row - 1), (ss::col_t)(col - 1)};
    }
    ss::src_address_t resolve_address(std::string_view address) override
    {
        return parse(address);
    }
    ss::src_range_t resolve_range(std::string_view range) override
    {
        size_t colon = range.find(':');
        if (colon == std::string_view::npos) {
            ss::src_address_t a = parse(range);
            return ss::src_range_t{a, a};
        }
        return ss::src_range_t{parse(range.substr(0, colon)), parse(range.substr(colon + 1))};
    }
};

void formula_result::commit()
{
    if (kind == 1)
        sheet->text(row, col, text);
    else if (kind == 2)
        sheet->set_value(row, col, number);
}

struct factory : ss::iface::import_factory {
    a1_resolver resolver;
    shared_strings strings;
    first_sheet sheet;
    std::string first; // the first sheet's name
    int sheets = 0;

    ss::iface::import_shared_strings *get_shared_strings() override
    {
        return &strings;
    }
    ss::iface::import_reference_resolver *get_reference_resolver(ss::formula_ref_context_t) override
    {
        return &resolver;
    }
    // orcus appends every sheet of the workbook, then asks for each by name
    // (or by index) as it reads its cells.
    ss::iface::import_sheet *append_sheet(ss::sheet_t, std::string_view name) override
    {
        if (sheets++ == 0)
            first = name;
        sheet.keep = sheets == 1;
        return &sheet;
    }
    ss::iface::import_sheet *get_sheet(std::string_view name) override
    {
        sheet.keep = sheets > 0 && name == first;
        return &sheet;
    }
    ss::iface::import_sheet *get_sheet(ss::sheet_t index) override
    {
        sheet.keep = index == 0;
        return &sheet;
    }
    void finalize() override
    {
    }
};

} // namespace

extern "C" int sheet_orcus_read(const char *data, size_t len, int xlsx, sheet_sink *sink, char *why,
                                size_t cap)
{
    try {
        factory f;
        f.sheet.strings = &f.strings;
        f.sheet.sink = sink;
        if (xlsx) {
            orcus::orcus_xlsx loader(&f);
            loader.read_stream(std::string_view(data, len));
        } else {
            orcus::orcus_csv loader(&f);
            orcus::config c(orcus::format_t::csv);
            c.data = orcus::config::csv_config{0, false};
            loader.set_config(c);
            loader.read_stream(std::string_view(data, len));
        }
        return sheet_sink_failed(sink) ? -1 : 0;
    } catch (const std::bad_alloc &) {
        std::snprintf(why, cap, "out of memory");
        return -2;
    } catch (const std::exception &e) {
        std::snprintf(why, cap, "%s", e.what());
        return -1;
    } catch (...) {
        std::snprintf(why, cap, "unreadable");
        return -1;
    }
}
