-- handouts.lua - pandoc filter that keeps the handouts true: checks every [text]{.probe}
-- claim against the errno probe, builds the errno, points and mistakes sections from their
-- data (probe TSV, rubric, mutants), embeds benchmark figures, and checks the fixed headings.
-- Run by handouts/handouts.mk; env: HANDOUT (primer, lab1...), HANDOUTS_GEN, HANDOUTS_TINY.

local handout = os.getenv("HANDOUT") or "unknown"
local gen = os.getenv("HANDOUTS_GEN") or "build/handouts/gen"
local tiny = os.getenv("HANDOUTS_TINY") == "1"
local plots = os.getenv("HANDOUTS_PLOTS") or "build/plots"
local bench_results = os.getenv("HANDOUTS_BENCH") or "build/bench/results.md"
local stringify = pandoc.utils.stringify
local errors = {}

local function fail(msg) table.insert(errors, handout .. ": " .. msg) end
local function warn(msg) io.stderr:write("handouts: warning: " .. handout .. ": " .. msg .. "\n") end

local function read_file(path)
  local f = io.open(path, "r")
  if not f then return nil end
  local s = f:read("a")
  f:close()
  return s
end

-- Tab-separated rows, '#' lines and blank lines skipped.
local function read_tsv(path)
  local s = read_file(path)
  if not s then return nil end
  local rows, meta = {}, {}
  for line in s:gmatch("[^\n]+") do
    local fields = {}
    for field in (line .. "\t"):gmatch("([^\t]*)\t") do table.insert(fields, field) end
    if line:sub(1, 1) == "#" then
      meta[fields[1]:sub(2)] = fields[2]
    elseif line:match("%S") then
      table.insert(rows, fields)
    end
  end
  return rows, meta
end

local function md(text) return pandoc.read(text, "markdown").blocks end
local function cell(s) return (tostring(s):gsub("|", "\\|")) end

-- pandoc's auto_identifiers for ASCII headings (see the pandoc manual, "Extension: auto_identifiers").
local function heading_id(title)
  local s = title:lower():gsub("[^%w_%-%.%s]", ""):gsub("%s+", "-")
  return (s:gsub("^[^%a]+", ""))
end

-- ---- The fixed headings --------------------------------------------------------------------
local headings, heading_set, heading_set_order = {}, {}, {}
do
  local s = read_file("handouts/headings.txt") or error("handouts/headings.txt is missing")
  for line in s:gmatch("[^\n]+") do
    local doc, title = line:match("^(%w+): (.+)$")
    if doc and line:sub(1, 1) ~= "#" then
      if not headings[doc] then table.insert(heading_set_order, doc) end
      headings[doc] = headings[doc] or {}
      table.insert(headings[doc], title)
      heading_set[doc .. ": " .. title] = #headings[doc] + 1000 * (#heading_set_order + 1)
    end
  end
end

local function section_link(section)
  local doc, title = section:match("^(%w+): (.+)$")
  if not doc or not heading_set[section] then
    fail("rubric section '" .. section .. "' is not a heading in handouts/headings.txt")
    return cell(section)
  end
  local target = (doc == handout and "" or doc .. ".html") .. "#" .. heading_id(title)
  return "[" .. cell(doc == handout and title or section) .. "](" .. target .. ")"
end

-- ---- The errno probe -----------------------------------------------------------------------
local probe_rows, probe_meta = read_tsv(gen .. "/errno.tsv")
if not probe_rows then error("no probe output at " .. gen .. "/errno.tsv: run the errno probe first") end
local probe = {}
for _, r in ipairs(probe_rows) do probe[r[1]] = { group = r[2], root = r[3], user = r[4], setup = r[5] } end

local result_words = { OK = "succeeds", zero = "reads zeros", visible = "seen by the other side",
                       ["not-visible"] = "not seen by the other side", ["-"] = "not measured",
                       kept = "data kept", ["fewer-faults"] = "fewer faults than pages",
                       ["fault-per-page"] = "one fault per page", ["no-fault"] = "no fault",
                       copied = "copied at mmap time", ["not-copied"] = "not copied",
                       unmapped = "gone", ["still-mapped"] = "still mapped",
                       reported = "reported", ["not-reported"] = "not reported",
                       ["not-lock-free"] = "not lock-free" }
local function say(result) return result_words[result] or result end

-- [EACCES]{.probe case=wronly_private} or [succeeds]{.probe case=x expect=OK as=root}
local function check_probe(span)
  local id = span.attributes["case"]
  local c = id and probe[id]
  if not c then
    fail("claim '" .. stringify(span) .. "' names an unknown probe case '" .. tostring(id) .. "'")
    return span
  end
  local expect = span.attributes["expect"] or stringify(span)
  local as = span.attributes["as"] or "both"
  local checked = 0
  for _, col in ipairs({ "root", "user" }) do
    if (as == "both" or as == col) and c[col] ~= "-" then
      checked = checked + 1
      if c[col] ~= expect then
        fail(string.format("the text says '%s' for %s (%s) as %s, the probe measured %s",
                           expect, id, c.setup, col, c[col]))
      end
    end
  end
  if checked == 0 then warn("claim about " .. id .. " could not be checked here (not measured)") end
  span.attributes["title"] = string.format("Measured when this page was built: as root %s, as uid 65534 %s",
                                          say(c.root), say(c.user))
  span.attributes["case"], span.attributes["expect"], span.attributes["as"] = nil, nil, nil
  return span
end

local group_names = { success = "no error", signal = "signals", sharing = "sharing",
                      privilege = "privilege", ["two faults"] = "two faults",
                      ["not ENODEV"] = "not regular, still mapped", madvise = "madvise, mremap, fork, exec" }
local function errno_table()
  local out = { "| errno or result | how it was provoked | as root | as uid 65534 |",
                "|---|------------|---|---|" }
  -- Rows grouped by their group, groups in order of first appearance.
  local rank, rows = {}, {}
  for i, r in ipairs(probe_rows) do
    rank[r[2]] = rank[r[2]] or i
    table.insert(rows, { r = r, i = i })
  end
  table.sort(rows, function(a, b)
    if rank[a.r[2]] ~= rank[b.r[2]] then return rank[a.r[2]] < rank[b.r[2]] end
    return a.i < b.i
  end)
  local last
  for _, row in ipairs(rows) do
    local r = row.r
    local group = r[2] ~= last and "**" .. (group_names[r[2]] or r[2]) .. "**" or ""
    last = r[2]
    local root, user = say(r[3]), say(r[4])
    if r[3] ~= r[4] and r[3] ~= "-" and r[4] ~= "-" then   -- privilege makes the difference
      root, user = "**" .. root .. "**", "**" .. user .. "**"
    end
    table.insert(out, string.format("| %s | %s | %s | %s |", group, cell(r[5]), root, user))
  end
  local blocks = md(table.concat(out, "\n"))
  table.insert(blocks, 1, pandoc.Para(md(string.format(
    "Measured by `handouts/probe/errno_probe.c` when this page was built: %s, page size %s bytes, built as uid %s.",
    probe_meta.kernel or "?", probe_meta.page_size or "?", probe_meta.uid or "?"))[1].content))
  return blocks
end

-- ---- Rubric: the "Tasks and points" tables ---------------------------------------------------
local function points_tables(lab)
  local rows = read_tsv("harness/" .. lab .. "/rubric.tsv")
  if not rows or #rows == 0 then
    if tiny then
      warn("no harness/" .. lab .. "/rubric.tsv yet: placeholder table")
      return md("*(The points table is generated from the rubric, which is not written yet.)*")
    end
    fail("harness/" .. lab .. "/rubric.tsv is missing or empty")
    return {}
  end
  local order, by_section, total = {}, {}, 0
  local public = { "| test | points | read |", "|----------|--:|------|" }
  local public_rows = {}
  for _, r in ipairs(rows) do
    local test, pts, vis, section = r[1], tonumber(r[2]), r[3], (r[4] or ""):gsub("^HANDOUT: ", "")
    if not pts or (vis ~= "public" and vis ~= "hidden") then
      fail("bad rubric row in " .. lab .. ".tsv: " .. table.concat(r, " | "))
    else
      total = total + pts
      if not by_section[section] then
        by_section[section] = { pub = 0, hid = 0, npub = 0, nhid = 0 }
        table.insert(order, section)
      end
      local s = by_section[section]
      if vis == "public" then
        s.pub, s.npub = s.pub + pts, s.npub + 1
        table.insert(public_rows, { order = heading_set[section] or 1e9, n = #public_rows,
          text = string.format("| `%s` | %d | %s |", cell(test), pts, section_link(section)) })
      else
        s.hid, s.nhid = s.hid + pts, s.nhid + 1
      end
    end
  end
  if total ~= 100 then warn(lab .. " rubric sums to " .. total .. " points, not 100") end
  local function by_order(a, b)
    if a.order ~= b.order then return a.order < b.order end
    return a.n < b.n
  end
  table.sort(public_rows, by_order)
  for _, r in ipairs(public_rows) do table.insert(public, r.text) end
  table.sort(order, function(a, b) return (heading_set[a] or 1e9) < (heading_set[b] or 1e9) end)
  local sum = { "| section | public tests | hidden tests | points |", "|--------|--:|--:|--:|" }
  local pub_total, hid_total = 0, 0
  for _, section in ipairs(order) do
    local s = by_section[section]
    pub_total, hid_total = pub_total + s.pub, hid_total + s.hid
    table.insert(sum, string.format("| %s | %d (%d pts) | %d (%d pts) | %d |", section_link(section),
                                    s.npub, s.pub, s.nhid, s.hid, s.pub + s.hid))
  end
  table.insert(sum, string.format("| **total** | %d pts | %d pts | **%d** |", pub_total, hid_total, total))
  local blocks = md(table.concat(sum, "\n") ..
    "\n\nThe public tests, one by one (you have their source in `tests/`):\n\n" ..
    table.concat(public, "\n"))
  return blocks
end

-- ---- Mutants: every seeded bug the grader knows is a "Common mistakes" entry ------------------
-- An entry is a paragraph opening with [**Title.**]{mutant=a,b} (a seeded bug the self-test
-- shows the grader catches: the filter names the test that catches it) or with
-- [**Title.**]{.not-caught} (the filter says plainly that no test is shown to catch it).
local function append(para, text)
  table.insert(para.content, pandoc.Space())
  for _, i in ipairs(md(text)[1].content) do table.insert(para.content, i) end
end

local function mistakes(div, lab)
  local rows = read_tsv("harness/" .. lab .. "/mutants.tsv")
  local test_of, known, missing = {}, {}, {}
  for _, r in ipairs(rows or {}) do known[r[1]] = true; test_of[r[1]] = r[2] end
  local covered = {}
  local function entry_kind(para)
    local first = para.content[1]
    if not first or first.t ~= "Span" then return nil end
    if first.classes:includes("not-caught") then return "not-caught" end
    if first.attributes["mutant"] then return "mutant", first.attributes["mutant"] end
    return nil
  end
  for _, b in ipairs(div.content) do
    if b.t == "Para" then
      local kind, names = entry_kind(b)
      if kind == "mutant" then
        local tests, seen = {}, {}
        for name in names:gmatch("[^,%s]+") do
          covered[name] = true
          local t = test_of[name]
          if rows and not t then
            fail("Common mistakes cites mutant '" .. name .. "', which mutants.tsv does not list")
          elseif t and not seen[t] then
            seen[t] = true
            table.insert(tests, "`" .. t .. "`")
          end
        end
        if #tests > 0 then
          append(b, "(Caught by the test" .. (#tests > 1 and "s " or " ") .. table.concat(tests, " and ") .. ".)")
        end
      elseif kind == "not-caught" then
        append(b, "**Not caught:** no test is shown to catch this mistake; check for it yourself.")
      else
        fail("a Common mistakes entry is neither [...]{mutant=NAME} nor [...]{.not-caught}: '" ..
             stringify(b):sub(1, 60) .. "'")
      end
    end
  end
  if not rows then
    warn("no harness/" .. lab .. "/mutants.tsv: mistakes list not cross-checked")
    return div
  end
  for _, r in ipairs(rows) do
    if not covered[r[1]] then table.insert(missing, r) end
  end
  if #missing > 0 then
    local items = {}
    for _, r in ipairs(missing) do
      warn("mutant " .. r[1] .. " has no prose entry; using its description")
      table.insert(items, string.format("- %s (the test `%s` catches it).", r[3] or r[1], r[2] or "?"))
    end
    for _, b in ipairs(md("Also seen in submissions:\n\n" .. table.concat(items, "\n"))) do
      table.insert(div.content, b)
    end
  end
  return div
end

-- ---- Benchmark figures and results -----------------------------------------------------------
local function bench_figure(div)
  local name = div.attributes["name"]
  local caption = stringify(div)
  for _, ext in ipairs({ ".svg", ".png" }) do
    local path = plots .. "/" .. name .. ext
    if read_file(path) then
      return pandoc.Para({ pandoc.Image(pandoc.read(caption, "markdown").blocks[1].content, path, "fig:") })
    end
  end
  if div.attributes["optional"] then return {} end   -- e.g. cold-cache runs need their own setup
  if not tiny then fail("benchmark figure " .. plots .. "/" .. name .. ".svg is missing: run `make plot`") end
  return md("> **Figure not drawn in this build** (`" .. name .. "`): this is a quick test build. Run `make plot` and then `make handouts` to see it. " .. caption)
end

local function bench_table()
  local s = read_file(bench_results)
  if not s then
    if not tiny then fail(bench_results .. " is missing: run `make plot`") end
    return md("> **No benchmark results in this build**: run `make bench` to produce them.")
  end
  local doc = pandoc.read(s, "markdown")
  -- Its title is our section's (level 1); its ## and ### headings fit below it as they are.
  local out = {}
  for _, b in ipairs(doc.blocks) do
    if b.t == "Header" and b.level == 1 then goto continue end
    table.insert(out, b)
    ::continue::
  end
  return pandoc.Div(out, pandoc.Attr("", { "bench-results" }))
end

-- ::: {.include file=PATH [section="Title"]}: the file, or only the part under the heading
-- "Title" (at any level), its sub-headings moved up so that they sit below ours.
local function include(div)
  local path = div.attributes["file"]
  local s = read_file(path)
  if not s then
    if not tiny then fail("included file " .. path .. " is missing") end
    return md("> *(" .. path .. " is not written yet.)*")
  end
  local blocks = pandoc.read(s, "markdown").blocks
  local want = div.attributes["section"]
  if not want then return blocks end
  local out, level = {}, nil
  for _, b in ipairs(blocks) do
    if b.t == "Header" and level and b.level <= level then break end
    if level then
      if b.t == "Header" then b.level = b.level - level + 1 end
      table.insert(out, b)
    elseif b.t == "Header" and stringify(b) == want then
      level = b.level
    end
  end
  if not level then fail(path .. " has no section '" .. want .. "'") end
  return out
end

-- ---- Wiring ----------------------------------------------------------------------------------
local function Div(div)
  if div.classes:includes("errno-table") then return errno_table() end
  if div.classes:includes("points") then return points_tables(div.attributes["lab"] or handout) end
  if div.classes:includes("mistakes") then return mistakes(div, div.attributes["lab"] or handout) end
  if div.classes:includes("bench-figure") then return bench_figure(div) end
  if div.classes:includes("bench-results") then return bench_table() end
  if div.classes:includes("include") then return include(div) end
end

local function Span(span)
  if span.classes:includes("probe") then return check_probe(span) end
  if span.classes:includes("pagesize") then return pandoc.Str(probe_meta.page_size or "?") end
end

local function check_headings(doc)
  local want = headings[handout]
  if not want then fail("no fixed headings for handout '" .. handout .. "'"); return end
  local got = {}
  for _, b in ipairs(doc.blocks) do
    if b.t == "Header" and b.level == 1 then table.insert(got, stringify(b)) end
  end
  for i = 1, math.max(#want, #got) do
    if want[i] ~= got[i] then
      fail(string.format("top-level heading %d is '%s', handouts/headings.txt says '%s'",
                         i, tostring(got[i]), tostring(want[i])))
      break
    end
  end
end

local function Pandoc(doc)
  doc = doc:walk({ Div = Div })
  doc = doc:walk({ Span = Span })
  check_headings(doc)
  if #errors > 0 then
    io.stderr:write(table.concat(errors, "\n") .. "\n")
    error(#errors .. " problem(s) in handout " .. handout)
  end
  return doc
end

return { { Pandoc = Pandoc } }
