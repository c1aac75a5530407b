#include "telemetry/export/prometheus_format.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "telemetry/export/prometheus_names.h"

namespace klio::telemetry::exporter {
namespace {

constexpr std::string_view kTargetFamily = "target";
constexpr std::string_view kTargetInfo = "target_info";
constexpr std::string_view kTargetHelp = "Target metadata";
// Owner of the reserved target names in the claims map; never equal to a metric name.
constexpr std::string_view kResourceClaim = "the resource (target_info)";

enum class PromType { kCounter, kGauge, kHistogram, kInfo };

std::string_view TypeName(PromType type, bool open_metrics) {
  switch (type) {
    case PromType::kCounter:
      return "counter";
    case PromType::kGauge:
      return "gauge";
    case PromType::kHistogram:
      return "histogram";
    case PromType::kInfo:
      return open_metrics ? "info" : "gauge";
  }
  return "untyped";
}

// One label before rendering. `key` is the original attribute key, used only to order the
// values of colliding keys.
struct Label {
  std::string name;
  std::string_view key;  // points into the collection being formatted
  std::string value;
};
using Labels = std::vector<Label>;

// One point of a family: `key` is its rendered label set (without `le`), `lines` its samples.
struct Series {
  std::string key;
  std::string lines;
};

struct Family {
  std::string name;     // sample name; the text 0.0.4 family name (counters end in _total)
  std::string om_name;  // OpenMetrics family name (counters without _total)
  PromType type = PromType::kGauge;
  std::string help;
  std::string unit;  // unit word for `# UNIT` when the family name ends with it
  std::vector<Series> series;
};

class Builder {
 public:
  Builder(Format format, FormatReport* report)
      : open_metrics_(format == Format::kOpenMetrics), report_(report) {}

  void AddResource(const Resource* resource);
  void AddScope(const sdk::ScopeMetrics& scope);
  std::string Render();

 private:
  template <typename... Args>
  void Note(fmt::format_string<Args...> f, Args&&... args) {
    if (report_ != nullptr && report_->notes.size() < FormatReport::kMaxNotes) {
      report_->notes.push_back(fmt::format(f, std::forward<Args>(args)...));
    }
  }
  void CountDroppedMetric() {
    if (report_ != nullptr) ++report_->dropped_metrics;
  }

  // Sanitises `attrs` into labels named `prefix` + label name, skipping names for which
  // `reserved` is true, and joining the values of colliding names with ';' in key order.
  template <typename ReservedFn>
  void AppendAttributeLabels(const Attributes& attrs, std::string_view prefix, ReservedFn reserved,
                             std::string_view what, Labels* out);
  // Returns the family `metric` belongs to, or nullptr when it must be dropped.
  Family* ClaimFamily(const sdk::MetricData& metric, PromType type, NameKind kind);
  // Renders the union of two label lists, each sorted by name, without braces.
  static std::string RenderLabels(const Labels& a, const Labels& b);
  void AddNumberPoints(const std::vector<sdk::NumberPoint>& points, const Labels& scope_labels,
                       Family* family);
  void AddHistogramPoints(const std::vector<sdk::HistogramPoint>& points,
                          const Labels& scope_labels, Family* family);
  // Renders a point's label set: its attributes (minus reserved names) and the scope labels.
  std::string PointLabels(const Attributes& attrs, const Labels& scope_labels, bool histogram,
                          std::string_view metric);
  // Sorts and deduplicates the series of every family and returns the exposition size.
  size_t Finish();

  bool open_metrics_;
  FormatReport* report_;
  std::map<std::string, Family, std::less<>> families_;     // by sample name
  std::map<std::string, std::string, std::less<>> claims_;  // every emitted name -> family
};

template <typename ReservedFn>
void Builder::AppendAttributeLabels(const Attributes& attrs, std::string_view prefix,
                                    ReservedFn reserved, std::string_view what, Labels* out) {
  size_t first = out->size();
  for (const KeyValue& kv : attrs) {
    std::string name = PrometheusLabelName(kv.key);
    if (name.empty()) {
      if (report_ != nullptr) ++report_->dropped_attributes;
      Note("{}: attribute \"{}\" has no usable label name", what, kv.key);
      continue;
    }
    name.insert(0, prefix);
    if (reserved(name)) {
      if (report_ != nullptr) ++report_->dropped_attributes;
      Note("{}: attribute \"{}\" would overwrite reserved label {}", what, kv.key, name);
      continue;
    }
    out->push_back(Label{std::move(name), kv.key, AttributeValueText(kv.value)});
  }
  auto begin = out->begin() + static_cast<std::ptrdiff_t>(first);
  std::sort(begin, out->end(), [](const Label& a, const Label& b) {
    return a.name != b.name ? a.name < b.name : a.key < b.key;
  });
  // Different keys that sanitise to one label name: join their values (otel-reference §3.2).
  auto dst = begin;
  for (auto it = begin; it != out->end(); ++it) {
    if (it != begin && std::prev(dst)->name == it->name) {
      std::prev(dst)->value.append(";").append(it->value);
    } else {
      if (dst != it) *dst = std::move(*it);
      ++dst;
    }
  }
  out->erase(dst, out->end());
}

std::string Builder::RenderLabels(const Labels& a, const Labels& b) {
  std::string out;
  size_t size = 0;
  for (const Label& l : a) size += l.name.size() + l.value.size() + 4;
  for (const Label& l : b) size += l.name.size() + l.value.size() + 4;
  out.reserve(size);
  auto append = [&out](const Label& l) {
    if (!out.empty()) out.push_back(',');
    out.append(l.name).append("=\"");
    AppendEscapedLabelValue(l.value, &out);
    out.push_back('"');
  };
  auto ia = a.begin();
  auto ib = b.begin();
  while (ia != a.end() || ib != b.end()) {
    if (ib == b.end() || (ia != a.end() && ia->name < ib->name)) {
      append(*ia++);
    } else {
      append(*ib++);
    }
  }
  return out;
}

void Builder::AddResource(const Resource* resource) {
  // Reserved whether or not a resource is present, so a metric's name never depends on it.
  claims_.emplace(kTargetFamily, kResourceClaim);
  claims_.emplace(kTargetInfo, kResourceClaim);
  if (resource == nullptr || resource->attributes.empty()) return;
  Labels labels;
  AppendAttributeLabels(
      resource->attributes, "", [](const std::string&) { return false; }, "resource", &labels);
  if (labels.empty()) return;
  Family family;
  family.name = kTargetInfo;
  family.om_name = kTargetFamily;
  family.type = PromType::kInfo;
  family.help = kTargetHelp;
  Series series;
  series.key = RenderLabels(labels, {});
  series.lines = fmt::format("{}{{{}}} 1\n", kTargetInfo, series.key);
  family.series.push_back(std::move(series));
  families_.emplace(kTargetInfo, std::move(family));
}

Family* Builder::ClaimFamily(const sdk::MetricData& metric, PromType type, NameKind kind) {
  std::string name = PrometheusMetricName(metric.name, metric.unit, kind);
  std::string om_name = name;
  if (type == PromType::kCounter) {
    om_name.resize(om_name.size() >= 6 ? om_name.size() - 6 : 0);  // strip "_total"
  }
  if (name.empty() || om_name.empty()) {
    CountDroppedMetric();
    Note("metric \"{}\": no usable prometheus name", metric.name);
    return nullptr;
  }
  std::vector<std::string> names = {name};
  if (type == PromType::kCounter) names.push_back(om_name);
  if (type == PromType::kHistogram) {
    names.push_back(name + "_bucket");
    names.push_back(name + "_sum");
    names.push_back(name + "_count");
  }
  auto existing = families_.find(name);
  if (existing != families_.end() && existing->second.type != type) {
    CountDroppedMetric();
    Note("metric \"{}\": {} {} conflicts with an earlier {} of that name; dropped", metric.name,
         TypeName(type, false), name, TypeName(existing->second.type, false));
    return nullptr;
  }
  for (const std::string& n : names) {
    auto claim = claims_.find(n);
    if (claim != claims_.end() && claim->second != name) {
      CountDroppedMetric();
      Note("metric \"{}\": name {} is already used by {}; dropped", metric.name, n, claim->second);
      return nullptr;
    }
  }
  if (existing != families_.end()) return &existing->second;  // same name and type: merge
  for (const std::string& n : names) claims_.emplace(n, name);
  Family family;
  family.name = name;
  family.om_name = std::move(om_name);
  family.type = type;
  family.help = metric.description;
  std::string unit = PrometheusUnit(metric.unit);
  if (!unit.empty() && family.om_name.size() > unit.size() + 1 && family.om_name.ends_with(unit) &&
      family.om_name[family.om_name.size() - unit.size() - 1] == '_') {
    family.unit = std::move(unit);
  }
  return &families_.emplace(name, std::move(family)).first->second;
}

std::string Builder::PointLabels(const Attributes& attrs, const Labels& scope_labels,
                                 bool histogram, std::string_view metric) {
  Labels labels;
  labels.reserve(attrs.size());
  auto reserved = [&](const std::string& name) {
    if (histogram && name == "le") return true;
    return std::any_of(scope_labels.begin(), scope_labels.end(),
                       [&](const Label& l) { return l.name == name; });
  };
  AppendAttributeLabels(attrs, "", reserved, metric, &labels);
  return RenderLabels(labels, scope_labels);
}

void Builder::AddNumberPoints(const std::vector<sdk::NumberPoint>& points,
                              const Labels& scope_labels, Family* family) {
  for (const sdk::NumberPoint& p : points) {
    Series series;
    series.key = PointLabels(p.attributes, scope_labels, false, family->name);
    std::string& line = series.lines;
    line.reserve(family->name.size() + series.key.size() + 24);
    line.append(family->name);
    if (!series.key.empty()) line.append("{").append(series.key).append("}");
    line.push_back(' ');
    if (const auto* i = std::get_if<std::int64_t>(&p.value)) {
      fmt::format_to(std::back_inserter(line), "{}", *i);
    } else {
      AppendPrometheusDouble(std::get<double>(p.value), &line);
    }
    line.push_back('\n');
    family->series.push_back(std::move(series));
  }
}

// A histogram point is exposable when its bounds are finite and strictly increasing, it has
// one count per bucket, and the buckets add up to `count` (the `+Inf` bucket equals `_count`).
bool ValidHistogram(const sdk::HistogramPoint& p) {
  if (p.bucket_counts.size() != p.explicit_bounds.size() + 1) return false;
  for (size_t i = 0; i < p.explicit_bounds.size(); ++i) {
    if (!std::isfinite(p.explicit_bounds[i])) return false;
    if (i > 0 && !(p.explicit_bounds[i - 1] < p.explicit_bounds[i])) return false;
  }
  std::uint64_t total = 0;
  for (std::uint64_t c : p.bucket_counts) total += c;
  return total == p.count;
}

void Builder::AddHistogramPoints(const std::vector<sdk::HistogramPoint>& points,
                                 const Labels& scope_labels, Family* family) {
  const std::string& name = family->name;
  for (const sdk::HistogramPoint& p : points) {
    if (!ValidHistogram(p)) {
      if (report_ != nullptr) ++report_->dropped_points;
      Note("histogram {}: inconsistent buckets (bounds, counts or total); point dropped", name);
      continue;
    }
    Series series;
    series.key = PointLabels(p.attributes, scope_labels, true, name);
    std::string prefix = series.key.empty() ? std::string() : series.key + ",";
    std::string braces = series.key.empty() ? std::string() : "{" + series.key + "}";
    std::string& out = series.lines;
    out.reserve((name.size() + series.key.size() + 40) * (p.explicit_bounds.size() + 3));
    std::uint64_t cumulative = 0;
    for (size_t i = 0; i <= p.explicit_bounds.size(); ++i) {
      cumulative += p.bucket_counts[i];
      out.append(name).append("_bucket{").append(prefix).append("le=\"");
      if (i < p.explicit_bounds.size()) {
        AppendLeValue(p.explicit_bounds[i], open_metrics_, &out);
      } else {
        out.append("+Inf");
      }
      fmt::format_to(std::back_inserter(out), "\"}} {}\n", cumulative);
    }
    if (p.sum.has_value()) {
      out.append(name).append("_sum").append(braces).push_back(' ');
      AppendPrometheusDouble(*p.sum, &out);
      out.push_back('\n');
    }
    fmt::format_to(std::back_inserter(out), "{}_count{} {}\n", name, braces, p.count);
    family->series.push_back(std::move(series));
  }
}

void Builder::AddScope(const sdk::ScopeMetrics& scope) {
  Labels scope_labels = {
      {"otel_scope_name", "", scope.scope.name},
      {"otel_scope_schema_url", "", scope.scope.schema_url},
      {"otel_scope_version", "", scope.scope.version},
  };
  const Labels fixed = scope_labels;
  AppendAttributeLabels(
      scope.scope.attributes, "otel_scope_",
      [&](const std::string& name) {
        return std::any_of(fixed.begin(), fixed.end(),
                           [&](const Label& l) { return l.name == name; });
      },
      fmt::format("scope \"{}\"", scope.scope.name), &scope_labels);
  std::sort(scope_labels.begin(), scope_labels.end(),
            [](const Label& a, const Label& b) { return a.name < b.name; });

  for (const sdk::MetricData& metric : scope.metrics) {
    if (const auto* gauge = std::get_if<sdk::GaugeData>(&metric.data)) {
      if (Family* f = ClaimFamily(metric, PromType::kGauge, NameKind::kGauge)) {
        AddNumberPoints(gauge->points, scope_labels, f);
      }
    } else if (const auto* sum = std::get_if<sdk::SumData>(&metric.data)) {
      if (sum->temporality == sdk::Temporality::kDelta) {
        CountDroppedMetric();
        Note("metric \"{}\": delta temporality cannot be exposed; dropped", metric.name);
        continue;
      }
      PromType type = sum->is_monotonic ? PromType::kCounter : PromType::kGauge;
      NameKind kind = sum->is_monotonic ? NameKind::kMonotonicCounter : NameKind::kNonMonotonicSum;
      if (Family* f = ClaimFamily(metric, type, kind)) {
        AddNumberPoints(sum->points, scope_labels, f);
      }
    } else if (const auto* hist = std::get_if<sdk::HistogramData>(&metric.data)) {
      if (hist->temporality == sdk::Temporality::kDelta) {
        CountDroppedMetric();
        Note("metric \"{}\": delta temporality cannot be exposed; dropped", metric.name);
        continue;
      }
      if (Family* f = ClaimFamily(metric, PromType::kHistogram, NameKind::kHistogram)) {
        AddHistogramPoints(hist->points, scope_labels, f);
      }
    }
  }
}

size_t Builder::Finish() {
  size_t size = 16;  // "# EOF\n"
  for (auto& [name, f] : families_) {
    // Deterministic order; the first of two identical label sets wins (stable sort).
    std::stable_sort(f.series.begin(), f.series.end(),
                     [](const Series& a, const Series& b) { return a.key < b.key; });
    auto dup = std::unique(f.series.begin(), f.series.end(),
                           [](const Series& a, const Series& b) { return a.key == b.key; });
    if (dup != f.series.end()) {
      size_t n = static_cast<size_t>(f.series.end() - dup);
      if (report_ != nullptr) report_->dropped_points += n;
      Note("{}: {} series with a duplicate label set dropped", f.name, n);
      f.series.erase(dup, f.series.end());
    }
    size += 3 * (f.name.size() + 16) + f.help.size() + f.unit.size();
    for (const Series& series : f.series) size += series.lines.size();
  }
  return size;
}

std::string Builder::Render() {
  std::string out;
  out.reserve(Finish());
  auto render_family = [&](const Family& f) {
    if (f.series.empty()) return;
    const std::string& meta_name = open_metrics_ ? f.om_name : f.name;
    if (open_metrics_) {
      fmt::format_to(std::back_inserter(out), "# TYPE {} {}\n", meta_name, TypeName(f.type, true));
      if (!f.unit.empty()) {
        fmt::format_to(std::back_inserter(out), "# UNIT {} {}\n", meta_name, f.unit);
      }
    }
    if (!f.help.empty()) {
      out.append("# HELP ").append(meta_name).push_back(' ');
      AppendEscapedHelp(f.help, open_metrics_, &out);
      out.push_back('\n');
    }
    if (!open_metrics_) {
      fmt::format_to(std::back_inserter(out), "# TYPE {} {}\n", meta_name, TypeName(f.type, false));
    }
    for (const Series& s : f.series) out.append(s.lines);
  };

  // OpenMetrics: the target info family SHOULD come first (otel-reference §3.5).
  auto target = families_.find(kTargetInfo);
  if (open_metrics_ && target != families_.end()) render_family(target->second);
  for (const auto& [name, family] : families_) {
    if (open_metrics_ && name == kTargetInfo) continue;
    render_family(family);
  }
  if (open_metrics_) out.append("# EOF\n");
  return out;
}

}  // namespace

std::string_view ContentType(Format format) {
  switch (format) {
    case Format::kOpenMetrics:
      return "application/openmetrics-text; version=1.0.0; charset=utf-8; escaping=underscores";
    case Format::kText004:
      break;
  }
  return "text/plain; version=0.0.4; charset=utf-8";
}

std::string FormatPrometheus(const sdk::ResourceMetrics& metrics, Format format,
                             FormatReport* report) {
  Builder builder(format, report);
  builder.AddResource(metrics.resource.get());
  for (const sdk::ScopeMetrics& scope : metrics.scopes) builder.AddScope(scope);
  return builder.Render();
}

}  // namespace klio::telemetry::exporter
