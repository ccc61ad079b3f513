package io.cascade.support;

/** Reads the Prometheus scrape at /q/metrics. */
public final class Metrics {

  private Metrics() {}

  public static String scrape() {
    return Management.given().get("/q/metrics").then().statusCode(200).extract().asString();
  }

  /**
   * Sum of the samples of {@code name} whose labels contain every {@code label="value"} given, or 0
   * when there is none.
   */
  public static double sum(String name, String... labels) {
    return sumIn(scrape(), name, labels);
  }

  /** {@link #sum} over a scrape taken elsewhere (e.g. from a service process of an IT). */
  public static double sumIn(String scrape, String name, String... labels) {
    double total = 0;
    for (String line : scrape.split("\n")) {
      if (line.startsWith("#") || !(line.startsWith(name + "{") || line.startsWith(name + " "))) {
        continue;
      }
      boolean matches = true;
      for (String label : labels) {
        matches &= line.contains(label);
      }
      if (matches) {
        total += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return total;
  }
}
