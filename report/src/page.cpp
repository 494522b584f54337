// The HTML page: header, table of contents, sections with their plots' containers, provenance,
// and inlined Vega, page script and style (assets.hpp); plot specifications as JSON.
#include <fmt/format.h>

#include <set>

#include "assets.hpp"
#include "results.hpp"

namespace cartsim::report {
namespace {

/// JSON text safe inside a <script> element.
std::string script_safe(std::string text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '<' && i + 1 < text.size() && text[i + 1] == '/') {
      out += "<\\/";
      ++i;
      continue;
    }
    out += text[i];
  }
  return out;
}

std::string row(const std::string& key, const std::string& value) {
  return "<tr><th>" + escape_html(key) + "</th><td>" + escape_html(value) + "</td></tr>";
}

std::string text_of(const json& v) {
  if (v.is_string()) {
    return v.get<std::string>();
  }
  return v.dump();
}

}  // namespace

void add_provenance(const Results& r, std::vector<Section>& out) {
  Section s;
  s.id = "provenance";
  s.title = "Provenance";
  const json& j = r.run;
  const json scenario = j.value("scenario", json::object());
  std::string h = "<table class=\"kv\"><tbody>";
  h += row("cartsim version", j.value("cartsim_version", std::string("?")));
  h += row("git commit", j.value("git_commit", std::string("?")));
  h += row("scenario file", scenario.value("file", std::string("?")));
  h += row("scenario SHA-256", scenario.value("sha256", std::string("?")));
  h += row("model", j.value("model", std::string("?")));
  if (j.contains("chain")) {
    h += row("chain", text_of(j["chain"]));
  }
  h += row("seed", j.contains("seed") ? text_of(j["seed"]) : "?");
  if (j.contains("solver")) {
    std::string solver;
    for (const auto& [k, v] : j["solver"].items()) {
      solver += (solver.empty() ? "" : ", ") + k + " " + text_of(v);
    }
    h += row("solver", solver);
  }
  if (j.contains("time_span_d")) {
    h += row("time span (d)", text_of(j["time_span_d"]));
  }
  if (j.contains("samples")) {
    std::string samples;
    for (const auto& [k, v] : j["samples"].items()) {
      samples += (samples.empty() ? "" : ", ") + k + " " + text_of(v);
    }
    h += row("samples", samples);
  }
  if (j.contains("shard")) {
    h += row("shard", text_of(j["shard"]));
  }
  h += row("threads", j.contains("threads") ? text_of(j["threads"]) : "?");
  h += row("wall time (s)", j.contains("wall_time_s") ? text_of(j["wall_time_s"]) : "?");
  h += row("started (UTC)", j.value("started_utc", std::string("?")));
  if (j.contains("files")) {
    std::string files;
    for (const auto& f : j["files"]) {
      files += (files.empty() ? "" : ", ") + text_of(f);
    }
    h += row("files", files);
  }
  h += "</tbody></table>";
  if (scenario.contains("text")) {
    h += "<details open><summary>Scenario text</summary><pre class=\"scenario\">" +
         escape_html(scenario["text"].get<std::string>()) + "</pre></details>";
  } else {
    h += "<p class=\"note\">run.json holds no scenario text (written by an older cartsim); see "
         "the scenario file above.</p>";
  }
  // Every column with its unit and description.
  h += "<details><summary>Columns: units and descriptions (columns.csv)</summary>"
       "<div class=\"table-wrap\"><table><thead><tr><th>file</th><th>column</th><th>unit</th>"
       "<th>description</th></tr></thead><tbody>";
  for (const auto& [file, columns] : r.columns) {
    for (const auto& c : columns) {
      h += "<tr><td>" + escape_html(file) + "</td><td>" + escape_html(c.name) + "</td><td>" +
           escape_html(c.unit) + "</td><td>" + escape_html(c.description) + "</td></tr>";
    }
  }
  h += "</tbody></table></div></details>";
  s.html = h;
  out.push_back(s);
}

std::string render_page(const Results& r, const std::vector<Section>& sections) {
  const json scenario = r.run.value("scenario", json::object());
  const std::string name = scenario.value("name", std::string("results"));
  std::string body;
  std::string toc;
  json plots = json::array();
  std::size_t n = 0;
  for (const auto& s : sections) {
    toc += fmt::format("<li><a href=\"#{}\">{}</a></li>", escape_html(s.id), escape_html(s.title));
    body += fmt::format("<section id=\"{}\"><h2>{}</h2>{}", escape_html(s.id), escape_html(s.title),
                        s.html);
    for (const auto& p : s.plots) {
      const std::string id = fmt::format("plot-{}", n++);
      body += fmt::format(
          "<figure class=\"plot\" id=\"{}\"><figcaption><b>{}</b>{}</figcaption>"
          "<div class=\"controls\">{}</div><div class=\"vega\"></div>"
          "<p class=\"caption\">{}</p></figure>",
          id, escape_html(p.title), "",
          p.log_toggle ? "<button type=\"button\" class=\"scale\">y axis: linear</button>" : "",
          escape_html(p.caption));
      plots.push_back({{"id", id},
                       {"title", p.title},
                       {"spec", p.spec},
                       {"log", p.log},
                       {"toggle", p.log_toggle},
                       {"renderer", p.renderer}});
    }
    body += "</section>";
  }
  std::string html;
  html.reserve(1 << 20);
  html +=
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
      "script-src 'unsafe-inline' 'unsafe-eval'; style-src 'unsafe-inline'; img-src data:\">";
  html += "<title>cartsim report: " + escape_html(name) + "</title><style>";
  html += report_css();
  html += "</style></head><body><header><h1>cartsim report: " + escape_html(name) +
          "</h1><p class=\"sub\">" +
          escape_html(r.run.value("model", std::string("")) + " · cartsim " +
                      r.run.value("cartsim_version", std::string("?")) + " · " +
                      r.run.value("started_utc", std::string(""))) +
          "</p><nav><ul>" + toc + "</ul></nav></header><main>";
  html += body;
  html += "</main><footer><p>Made by <code>cartsim report</code>. Plots: " +
          escape_html(std::string(vega_notice())) +
          ", inlined; the page needs no network.</p></footer>";
  html += "<script type=\"application/json\" id=\"cartsim-plots\">" + script_safe(plots.dump()) +
          "</script>\n<script>";
  html += vega_js();
  html += "</script>\n<script>";
  html += report_js();
  html += "</script></body></html>\n";
  return html;
}

}  // namespace cartsim::report
