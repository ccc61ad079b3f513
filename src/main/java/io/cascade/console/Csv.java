package io.cascade.console;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** Messages found by a search as CSV (RFC 4180), for a spreadsheet. */
final class Csv {

  private static final String HEADER = "id,status,priority,reference,route,created_at,updated_at";

  private Csv() {}

  static String of(List<MessageSearch.Found> messages) {
    StringBuilder csv = new StringBuilder(HEADER).append("\r\n");
    for (MessageSearch.Found m : messages) {
      csv.append(m.id())
          .append(',')
          .append(m.status())
          .append(',')
          .append(m.priority())
          .append(',')
          .append(field(m.reference()))
          .append(',')
          .append(field(route(m.route())))
          .append(',')
          .append(m.createdAt())
          .append(',')
          .append(m.updatedAt())
          .append("\r\n");
    }
    return csv.toString();
  }

  /** The route as "channel:to" steps, in order. */
  private static String route(List<Object> route) {
    return route.stream()
        .map(step -> step instanceof Map<?, ?> s ? s.get("channel") + ":" + s.get("to") : "?")
        .collect(Collectors.joining(" > "));
  }

  /**
   * Quoted when it holds a separator, a quote or a line break. A leading {@code = + - @} is
   * prefixed with a quote mark, so a spreadsheet shows a tenant's text instead of running it.
   */
  static String field(String value) {
    if (value == null) {
      return "";
    }
    String safe = !value.isEmpty() && "=+-@".indexOf(value.charAt(0)) >= 0 ? "'" + value : value;
    if (safe.contains(",") || safe.contains("\"") || safe.contains("\n") || safe.contains("\r")) {
      return "\"" + safe.replace("\"", "\"\"") + "\"";
    }
    return safe;
  }
}
