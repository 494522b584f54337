#include "vega_specs.hpp"

namespace cartsim::report {
namespace {

constexpr int plot_width = 620;
constexpr int plot_height = 280;

json base_spec(int height = plot_height) {
  return {{"$schema", "https://vega.github.io/schema/vega/v5.json"},
          {"width", plot_width},
          {"height", height},
          {"padding", 8},
          {"autosize", {{"type", "pad"}}},
          {"signals", json::array({{{"name", "logy"}, {"value", false}}})}};
}

json data_set(const std::string& name, const json& values, const std::string& filter = "") {
  json d = {{"name", name}, {"values", values}};
  if (!filter.empty()) {
    d["transform"] = json::array({{{"type", "filter"}, {"expr", filter}}});
  }
  return d;
}

json axis(const std::string& orient, const std::string& scale, const std::string& title) {
  json a = {{"orient", orient}, {"scale", scale},      {"title", title},
            {"grid", true},     {"gridOpacity", 0.35}, {"labelOverlap", true}};
  if (orient == "left") {
    a["format"] = "~s";
    a["labelLimit"] = 90;
  }
  return a;
}

json field(const std::string& scale, const std::string& name) {
  return {{"scale", scale}, {"field", name}};
}

}  // namespace

json select_signal(const std::string& name, const std::string& label,
                   const std::vector<std::string>& options) {
  return {{"name", name},
          {"value", options.empty() ? std::string() : options.front()},
          {"bind", {{"input", "select"}, {"options", options}, {"name", label + " "}}}};
}

json series_spec(const SeriesData& d, const std::string& x_title, const std::string& y_title,
                 const std::string& color_title) {
  json s = base_spec();
  s["data"] = json::array({
      data_set("runs", d.runs, "isValid(datum.v) && (!logy || datum.v > 0)"),
      data_set("bands", d.bands, "isValid(datum.p50) && (!logy || datum.p05 > 0)"),
      data_set("observed", d.observed, "isValid(datum.v) && (!logy || datum.v > 0)"),
      data_set("vpc", d.vpc, "!logy || datum.lo > 0"),
      data_set("limits", d.limits, "!logy || datum.v > 0"),
      data_set("steps", d.steps),
  });
  json keys = json::array();
  for (const char* set : {"runs", "bands", "observed", "vpc"}) {
    keys.push_back({{"data", set}, {"field", "key"}});
  }
  s["scales"] = json::array({{{"name", "x"},
                              {"type", "linear"},
                              {"range", "width"},
                              {"zero", false},
                              {"nice", false},
                              {"domain",
                               {{"fields", json::array({{{"data", "runs"}, {"field", "t"}},
                                                        {{"data", "bands"}, {"field", "t"}},
                                                        {{"data", "observed"}, {"field", "t"}},
                                                        {{"data", "vpc"}, {"field", "t"}}})}}}},
                             {{"name", "y"},
                              {"type", "linear"},
                              {"range", "height"},
                              {"zero", false},
                              {"nice", true},
                              {"domain",
                               {{"fields", json::array({{{"data", "runs"}, {"field", "v"}},
                                                        {{"data", "bands"}, {"field", "p05"}},
                                                        {{"data", "bands"}, {"field", "p95"}},
                                                        {{"data", "observed"}, {"field", "v"}},
                                                        {{"data", "vpc"}, {"field", "lo"}},
                                                        {{"data", "vpc"}, {"field", "hi"}},
                                                        {{"data", "limits"}, {"field", "v"}}})}}}},
                             {{"name", "color"},
                              {"type", "ordinal"},
                              {"range", "category"},
                              {"domain", {{"fields", keys}, {"sort", true}}}}});
  s["axes"] = json::array({axis("bottom", "x", x_title), axis("left", "y", y_title)});
  s["legends"] = json::array(
      {{{"stroke", "color"}, {"title", color_title}, {"orient", "right"}, {"labelLimit", 220}}});

  auto band = [](const std::string& name, const char* lo, const char* hi, double opacity) {
    return json{{"type", "area"},
                {"name", name},
                {"from", {{"data", "band_facet"}}},
                {"encode",
                 {{"update",
                   {{"x", field("x", "t")},
                    {"y", field("y", lo)},
                    {"y2", field("y", hi)},
                    {"fill", field("color", "key")},
                    {"fillOpacity", {{"value", opacity}}}}}}}};
  };
  json marks = json::array();
  marks.push_back(
      {{"type", "group"},
       {"from", {{"facet", {{"name", "band_facet"}, {"data", "bands"}, {"groupby", "key"}}}}},
       {"marks", json::array({band("data_band90", "p05", "p95", 0.14),
                              band("data_band50", "p25", "p75", 0.28),
                              {{"type", "line"},
                               {"name", "data_median"},
                               {"from", {{"data", "band_facet"}}},
                               {"encode",
                                {{"update",
                                  {{"x", field("x", "t")},
                                   {"y", field("y", "p50")},
                                   {"stroke", field("color", "key")},
                                   {"strokeWidth", {{"value", 2}}}}}}}}})}});
  marks.push_back(
      {{"type", "group"},
       {"from",
        {{"facet",
          {{"name", "run_facet"}, {"data", "runs"}, {"groupby", json::array({"key", "run"})}}}}},
       {"marks", json::array({{{"type", "line"},
                               {"name", "data_runs"},
                               {"from", {{"data", "run_facet"}}},
                               {"encode",
                                {{"update",
                                  {{"x", field("x", "t")},
                                   {"y", field("y", "v")},
                                   {"stroke", field("color", "key")},
                                   {"strokeWidth", {{"value", 1.4}}},
                                   {"strokeOpacity", {{"value", 0.75}}}}}}}}})}});
  marks.push_back(
      {{"type", "group"},
       {"from", {{"facet", {{"name", "vpc_facet"}, {"data", "vpc"}, {"groupby", "key"}}}}},
       {"marks", json::array({{{"type", "area"},
                               {"name", "data_vpc"},
                               {"from", {{"data", "vpc_facet"}}},
                               {"encode",
                                {{"update",
                                  {{"x", field("x", "t")},
                                   {"y", field("y", "lo")},
                                   {"y2", field("y", "hi")},
                                   {"fill", {{"value", "#888"}}},
                                   {"fillOpacity", {{"value", 0.18}}}}}}}},
                              {{"type", "line"},
                               {"name", "data_vpc_mid"},
                               {"from", {{"data", "vpc_facet"}}},
                               {"encode",
                                {{"update",
                                  {{"x", field("x", "t")},
                                   {"y", field("y", "mid")},
                                   {"stroke", {{"value", "#444"}}},
                                   {"strokeDash", {{"value", json::array({4, 3})}}}}}}}}})}});
  marks.push_back(
      {{"type", "symbol"},
       {"name", "data_observed"},
       {"from", {{"data", "observed"}}},
       {"encode",
        {{"update",
          {{"x", field("x", "t")},
           {"y", field("y", "v")},
           {"shape", {{"value", "circle"}}},
           {"size", {{"value", 22}}},
           {"stroke", field("color", "key")},
           {"fill", {{"value", "white"}}},
           {"tooltip",
            {{"signal",
              "{'time (d)': datum.t, 'observed': datum.v, 'variable': datum.key}"}}}}}}}});
  marks.push_back(
      {{"type", "rule"},
       {"name", "data_limits"},
       {"from", {{"data", "limits"}}},
       {"encode",
        {{"update",
          {{"x", {{"value", 0}}},
           {"x2", {{"signal", "width"}}},
           {"y", field("y", "v")},
           {"stroke", {{"value", "#c0392b"}}},
           {"strokeDash", {{"value", json::array({6, 4})}}},
           {"tooltip", {{"signal", "datum.label + ': ' + format(datum.v, '.4~g')"}}}}}}}});
  marks.push_back({{"type", "text"},
                   {"from", {{"data", "limits"}}},
                   {"encode",
                    {{"update",
                      {{"x", {{"signal", "width"}}},
                       {"y", field("y", "v")},
                       {"dy", {{"field", "dy"}}},
                       {"align", {{"value", "right"}}},
                       {"fontSize", {{"value", 10}}},
                       {"fill", {{"value", "#c0392b"}}},
                       {"text", {{"field", "label"}}}}}}}});
  marks.push_back(
      {{"type", "rule"},
       {"name", "data_steps"},
       {"from", {{"data", "steps"}}},
       {"encode",
        {{"update",
          {{"x", field("x", "t")},
           {"y", {{"value", 0}}},
           {"y2", {{"signal", "height"}}},
           {"stroke", {{"value", "#7f8c8d"}}},
           {"strokeOpacity", {{"value", 0.5}}},
           {"tooltip", {{"signal", "datum.label + ' at ' + format(datum.t, '.4~g') + ' d'"}}}}}}}});
  marks.push_back({{"type", "text"},
                   {"from", {{"data", "steps"}}},
                   {"encode",
                    {{"update",
                      {{"x", field("x", "t")},
                       {"y", {{"value", 2}}},
                       {"dx", {{"value", 2}}},
                       {"angle", {{"value", 90}}},
                       {"fontSize", {{"value", 9}}},
                       {"fill", {{"value", "#7f8c8d"}}},
                       {"text", {{"field", "short"}}}}}}}});
  s["marks"] = marks;
  return s;
}

json scatter_spec(const json& rows, const std::vector<std::string>& metrics,
                  const std::vector<std::string>& factors, const json& units,
                  const std::vector<std::string>& discrete) {
  json s = base_spec();
  s["signals"].push_back({{"name", "discrete"}, {"value", discrete}});
  s["signals"].push_back(select_signal("metric", "metric", metrics));
  s["signals"].push_back(select_signal("factor", "factor", factors));
  s["data"] = json::array(
      {{{"name", "units"}, {"values", json::array({units})}},
       {{"name", "points"},
        {"values", rows},
        {"transform",
         json::array({{{"type", "formula"}, {"as", "_x"}, {"expr", "datum[factor]"}},
                      {{"type", "formula"}, {"as", "_y"}, {"expr", "datum[metric]"}},
                      {{"type", "filter"},
                       {"expr",
                        "isValid(datum._x) && isValid(datum._y) && isFinite(datum._y) && "
                        "(!logy || datum._y > 0)"}}})}},
       {{"name", "medians"},
        {"source", "points"},
        {"transform", json::array({{{"type", "aggregate"},
                                    {"groupby", json::array({"_x"})},
                                    {"ops", json::array({"median", "count"})},
                                    {"fields", json::array({"_y", "_y"})},
                                    {"as", json::array({"median", "n"})}},
                                   {{"type", "filter"},
                                    {"expr", "datum.n > 1 && indexof(discrete, factor) >= 0"}},
                                   {{"type", "collect"}, {"sort", {{"field", "_x"}}}}})}}});
  s["scales"] = json::array({{{"name", "x"},
                              {"type", "linear"},
                              {"range", "width"},
                              {"zero", false},
                              {"nice", true},
                              {"domain", {{"data", "points"}, {"field", "_x"}}}},
                             {{"name", "y"},
                              {"type", "linear"},
                              {"range", "height"},
                              {"zero", false},
                              {"nice", true},
                              {"domain", {{"data", "points"}, {"field", "_y"}}}}});
  s["axes"] =
      json::array({{{"orient", "bottom"},
                    {"scale", "x"},
                    {"grid", true},
                    {"gridOpacity", 0.35},
                    {"title", {{"signal", "factor + ' (' + data('units')[0][factor] + ')'"}}}},
                   {{"orient", "left"},
                    {"scale", "y"},
                    {"grid", true},
                    {"gridOpacity", 0.35},
                    {"format", "~s"},
                    {"title", {{"signal", "metric + ' (' + data('units')[0][metric] + ')'"}}}}});
  s["marks"] = json::array(
      {{{"type", "symbol"},
        {"name", "data_points"},
        {"from", {{"data", "points"}}},
        {"encode",
         {{"update",
           {{"x", field("x", "_x")},
            {"y", field("y", "_y")},
            {"size", {{"value", 26}}},
            {"fill", {{"value", "#1f77b4"}}},
            {"fillOpacity", {{"value", 0.55}}},
            {"tooltip",
             {{"signal", "{'sample': datum.sample, 'factor': datum._x, 'metric': datum._y}"}}}}}}}},
       {{"type", "line"},
        {"name", "data_medians"},
        {"from", {{"data", "medians"}}},
        {"encode",
         {{"update",
           {{"x", field("x", "_x")},
            {"y", field("y", "median")},
            {"stroke", {{"value", "#d62728"}}},
            {"strokeWidth", {{"value", 2}}}}}}}}});
  return s;
}

json heatmap_spec(const json& cells, const std::vector<std::string>& metrics,
                  const std::vector<std::string>& factors) {
  json s = base_spec(300);
  s["signals"].push_back(select_signal("metric", "metric", metrics));
  s["signals"].push_back(select_signal("fx", "x factor", factors));
  json fy = select_signal("fy", "y factor", factors);
  fy["value"] = factors.size() > 1 ? factors[1] : factors.front();
  s["signals"].push_back(fy);
  s["data"] = json::array(
      {{{"name", "cells"},
        {"values", cells},
        {"transform",
         json::array({{{"type", "filter"},
                       {"expr",
                        "datum.metric === metric && datum.fx === fx && datum.fy === fy && "
                        "isValid(datum.value)"}}})}}});
  s["scales"] = json::array(
      {{{"name", "x"},
        {"type", "band"},
        {"range", "width"},
        {"domain",
         {{"data", "cells"}, {"field", "x"}, {"sort", {{"field", "xi"}, {"op", "min"}}}}}},
       {{"name", "yb"},
        {"type", "band"},
        {"range", "height"},
        {"reverse", true},
        {"domain",
         {{"data", "cells"}, {"field", "y"}, {"sort", {{"field", "yi"}, {"op", "min"}}}}}},
       {{"name", "color"},
        {"type", "linear"},
        {"scheme", "viridis"},
        {"domain", {{"data", "cells"}, {"field", "value"}}}}});
  s["axes"] = json::array({{{"orient", "bottom"}, {"scale", "x"}, {"title", {{"signal", "fx"}}}},
                           {{"orient", "left"}, {"scale", "yb"}, {"title", {{"signal", "fy"}}}}});
  s["legends"] = json::array(
      {{{"fill", "color"}, {"title", {{"signal", "'median ' + metric"}}}, {"format", "~s"}}});
  s["marks"] = json::array(
      {{{"type", "rect"},
        {"name", "data_cells"},
        {"from", {{"data", "cells"}}},
        {"encode",
         {{"update",
           {{"x", field("x", "x")},
            {"width", {{"scale", "x"}, {"band", 1}}},
            {"y", field("yb", "y")},
            {"height", {{"scale", "yb"}, {"band", 1}}},
            {"fill", field("color", "value")},
            {"tooltip",
             {{"signal",
               "{'median': datum.value, 'runs': datum.n, 'x': datum.x, 'y': datum.y}"}}}}}}}},
       {{"type", "text"},
        {"from", {{"data", "cells"}}},
        {"encode",
         {{"update",
           {{"x", {{"scale", "x"}, {"field", "x"}, {"band", 0.5}}},
            {"y", {{"scale", "yb"}, {"field", "y"}, {"band", 0.5}}},
            {"align", {{"value", "center"}}},
            {"baseline", {{"value", "middle"}}},
            {"fontSize", {{"value", 10}}},
            {"fill",
             {{"signal", "luminance(scale('color', datum.value)) > 0.45 ? 'black' : 'white'"}}},
            {"text", {{"signal", "format(datum.value, '.3~s')"}}}}}}}}});
  return s;
}

json histogram_spec(const json& bins, const json& limits, const std::vector<std::string>& metrics,
                    const json& units) {
  json s = base_spec(240);
  s["signals"].push_back(select_signal("metric", "metric", metrics));
  s["data"] = json::array(
      {{{"name", "units"}, {"values", json::array({units})}},
       {{"name", "bins"},
        {"values", bins},
        {"transform", json::array({{{"type", "filter"}, {"expr", "datum.metric === metric"}}})}},
       {{"name", "limits"},
        {"values", limits},
        {"transform", json::array({{{"type", "filter"}, {"expr", "datum.metric === metric"}}})}}});
  s["scales"] = json::array({{{"name", "x"},
                              {"type", "linear"},
                              {"range", "width"},
                              {"zero", false},
                              {"nice", false},
                              {"domain",
                               {{"fields", json::array({{{"data", "bins"}, {"field", "lo"}},
                                                        {{"data", "bins"}, {"field", "hi"}},
                                                        {{"data", "limits"}, {"field", "v"}}})}}}},
                             {{"name", "y"},
                              {"type", "linear"},
                              {"range", "height"},
                              {"nice", true},
                              {"domain", {{"data", "bins"}, {"field", "count"}}}}});
  s["axes"] =
      json::array({{{"orient", "bottom"},
                    {"scale", "x"},
                    {"format", "~s"},
                    {"labelOverlap", true},
                    {"title", {{"signal", "metric + ' (' + data('units')[0][metric] + ')'"}}}},
                   {{"orient", "left"},
                    {"scale", "y"},
                    {"title", "runs"},
                    {"grid", true},
                    {"gridOpacity", 0.35}}});
  s["marks"] = json::array(
      {{{"type", "rect"},
        {"name", "data_bins"},
        {"from", {{"data", "bins"}}},
        {"encode",
         {{"update",
           {{"x", field("x", "lo")},
            {"x2", field("x", "hi")},
            {"y", field("y", "count")},
            {"y2", {{"scale", "y"}, {"value", 0}}},
            {"fill", {{"value", "#4c78a8"}}},
            {"stroke", {{"value", "white"}}},
            {"tooltip",
             {{"signal", "{'from': datum.lo, 'to': datum.hi, 'runs': datum.count}"}}}}}}}},
       {{"type", "rule"},
        {"name", "data_limits"},
        {"from", {{"data", "limits"}}},
        {"encode",
         {{"update",
           {{"x", field("x", "v")},
            {"y", {{"value", 0}}},
            {"y2", {{"signal", "height"}}},
            {"stroke", {{"value", "#c0392b"}}},
            {"strokeWidth", {{"value", 2}}},
            {"strokeDash", {{"value", json::array({6, 4})}}}}}}}},
       {{"type", "text"},
        {"from", {{"data", "limits"}}},
        {"encode",
         {{"update",
           {{"x", field("x", "v")},
            {"y", {{"value", 0}}},
            {"dx", {{"value", 3}}},
            {"dy", {{"value", 10}}},
            {"fontSize", {{"value", 10}}},
            {"fill", {{"value", "#c0392b"}}},
            {"text", {{"field", "label"}}}}}}}}});
  return s;
}

json bars_spec(const json& rows, const std::vector<std::string>& metrics,
               const std::string& x_title) {
  json s = base_spec(300);
  s["signals"].push_back(select_signal("metric", "metric", metrics));
  s["data"] = json::array(
      {{{"name", "rows"},
        {"values", rows},
        {"transform", json::array({{{"type", "filter"}, {"expr", "datum.metric === metric"}}})}}});
  s["scales"] = json::array({{{"name", "yf"},
                              {"type", "band"},
                              {"range", "height"},
                              {"padding", 0.2},
                              {"domain", {{"data", "rows"}, {"field", "factor"}}}},
                             {{"name", "x"},
                              {"type", "linear"},
                              {"range", "width"},
                              {"nice", true},
                              {"zero", true},
                              {"domain",
                               {{"fields", json::array({{{"data", "rows"}, {"field", "v"}},
                                                        {{"data", "rows"}, {"field", "lo"}},
                                                        {{"data", "rows"}, {"field", "hi"}}})}}}},
                             {{"name", "color"},
                              {"type", "ordinal"},
                              {"range", "category"},
                              {"domain", {{"data", "rows"}, {"field", "index"}}}}});
  s["axes"] = json::array({{{"orient", "bottom"},
                            {"scale", "x"},
                            {"title", x_title},
                            {"grid", true},
                            {"gridOpacity", 0.35}},
                           {{"orient", "left"}, {"scale", "yf"}, {"labelLimit", 180}}});
  s["legends"] = json::array({{{"fill", "color"}, {"title", "index"}}});
  s["marks"] = json::array(
      {{{"type", "group"},
        {"from", {{"facet", {{"data", "rows"}, {"name", "facet"}, {"groupby", "factor"}}}}},
        {"encode", {{"update", {{"y", field("yf", "factor")}}}}},
        {"signals", json::array({{{"name", "height"}, {"update", "bandwidth('yf')"}}})},
        {"scales", json::array({{{"name", "pos"},
                                 {"type", "band"},
                                 {"range", "height"},
                                 {"domain", {{"data", "facet"}, {"field", "index"}}}}})},
        {"marks",
         json::array({{{"type", "rect"},
                       {"name", "data_bars"},
                       {"from", {{"data", "facet"}}},
                       {"encode",
                        {{"update",
                          {{"y", field("pos", "index")},
                           {"height", {{"scale", "pos"}, {"band", 1}}},
                           {"x", field("x", "v")},
                           {"x2", {{"scale", "x"}, {"value", 0}}},
                           {"fill", field("color", "index")},
                           {"tooltip",
                            {{"signal",
                              "{'index': datum.index, 'value': datum.v, 'interval': "
                              "isValid(datum.lo) ? [datum.lo, datum.hi] : 'none'}"}}}}}}}},
                      {{"type", "rule"},
                       {"name", "data_intervals"},
                       {"from", {{"data", "facet"}}},
                       {"encode",
                        {{"update",
                          {{"y", {{"scale", "pos"}, {"field", "index"}, {"band", 0.5}}},
                           {"x", field("x", "lo")},
                           {"x2", field("x", "hi")},
                           {"stroke", {{"value", "black"}}},
                           {"strokeWidth", {{"value", 1.5}}},
                           {"opacity", {{"signal", "isValid(datum.lo) ? 1 : 0"}}}}}}}}})}}});
  return s;
}

json distribution_spec(const json& rows, const std::vector<std::string>& names) {
  json s = base_spec(240);
  s["signals"].push_back(select_signal("dist", "distribution", names));
  s["data"] = json::array(
      {{{"name", "rows"},
        {"values", rows},
        {"transform", json::array({{{"type", "filter"}, {"expr", "datum.dist === dist"}}})}}});
  s["scales"] = json::array(
      {{{"name", "x"},
        {"type", "band"},
        {"range", "width"},
        {"padding", 0.1},
        {"domain",
         {{"data", "rows"}, {"field", "bin"}, {"sort", {{"field", "order"}, {"op", "min"}}}}}},
       {{"name", "y"},
        {"type", "linear"},
        {"range", "height"},
        {"nice", true},
        {"domain",
         {{"fields", json::array({{{"data", "rows"}, {"field", "max"}},
                                  {{"data", "rows"}, {"field", "mean"}}})}}}}});
  s["axes"] = json::array({{{"orient", "bottom"},
                            {"scale", "x"},
                            {"labelAngle", -40},
                            {"labelAlign", "right"},
                            {"labelOverlap", true},
                            {"title", {{"signal", "dist"}}}},
                           {{"orient", "left"},
                            {"scale", "y"},
                            {"title", "fraction of cells"},
                            {"grid", true},
                            {"gridOpacity", 0.35}}});
  s["marks"] =
      json::array({{{"type", "rect"},
                    {"name", "data_bins"},
                    {"from", {{"data", "rows"}}},
                    {"encode",
                     {{"update",
                       {{"x", field("x", "bin")},
                        {"width", {{"scale", "x"}, {"band", 1}}},
                        {"y", field("y", "mean")},
                        {"y2", {{"scale", "y"}, {"value", 0}}},
                        {"fill", {{"value", "#59a14f"}}},
                        {"tooltip",
                         {{"signal",
                           "{'bin': datum.bin + ' ' + datum.unit, 'mean fraction': datum.mean, "
                           "'min': datum.min, 'max': datum.max}"}}}}}}}},
                   {{"type", "rule"},
                    {"name", "data_range"},
                    {"from", {{"data", "rows"}}},
                    {"encode",
                     {{"update",
                       {{"x", {{"scale", "x"}, {"field", "bin"}, {"band", 0.5}}},
                        {"y", field("y", "min")},
                        {"y2", field("y", "max")},
                        {"stroke", {{"value", "black"}}}}}}}}});
  return s;
}

json step_spec(const json& rows, const std::string& x_title, const std::string& y_title) {
  json s = base_spec();
  s["data"] = json::array({{{"name", "rows"}, {"values", rows}}});
  s["scales"] = json::array(
      {{{"name", "x"},
        {"type", "linear"},
        {"range", "width"},
        {"zero", true},
        {"domain", {{"data", "rows"}, {"field", "t"}}}},
       {{"name", "y"}, {"type", "linear"}, {"range", "height"}, {"domain", json::array({0, 1})}},
       {{"name", "color"},
        {"type", "ordinal"},
        {"range", "category"},
        {"domain", {{"data", "rows"}, {"field", "group"}}}}});
  s["axes"] = json::array({axis("bottom", "x", x_title), axis("left", "y", y_title)});
  s["axes"][1].erase("format");
  s["legends"] = json::array({{{"stroke", "color"}, {"title", "group"}}});
  s["marks"] = json::array(
      {{{"type", "group"},
        {"from", {{"facet", {{"name", "g"}, {"data", "rows"}, {"groupby", "group"}}}}},
        {"marks",
         json::array({{{"type", "area"},
                       {"name", "data_ci"},
                       {"from", {{"data", "g"}}},
                       {"encode",
                        {{"update",
                          {{"x", field("x", "t")},
                           {"y", field("y", "lo")},
                           {"y2", field("y", "hi")},
                           {"interpolate", {{"value", "step-after"}}},
                           {"fill", field("color", "group")},
                           {"fillOpacity", {{"value", 0.15}}},
                           {"defined", {{"signal", "isValid(datum.lo) && isValid(datum.hi)"}}}}}}}},
                      {{"type", "line"},
                       {"name", "data_curves"},
                       {"from", {{"data", "g"}}},
                       {"encode",
                        {{"update",
                          {{"x", field("x", "t")},
                           {"y", field("y", "s")},
                           {"interpolate", {{"value", "step-after"}}},
                           {"stroke", field("color", "group")},
                           {"strokeWidth", {{"value", 2}}}}}}}}})}}});
  return s;
}

}  // namespace cartsim::report
