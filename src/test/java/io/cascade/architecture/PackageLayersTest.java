package io.cascade.architecture;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The packages of the service depend only on those before them in {@link #LAYERS} (as
 * docs/architecture.md lists them), so there is no cycle between them.
 */
class PackageLayersTest {

  private static final List<String> LAYERS =
      List.of(
          "api",
          "observability",
          "tenant",
          "limit",
          "outbound",
          "channel",
          "webhook",
          "message",
          "core",
          "store",
          "dispatch",
          "intake",
          "receipt",
          "analytics",
          "console");
  private static final Path SOURCES = Path.of("src/main/java/io/cascade");
  private static final Pattern IMPORT =
      Pattern.compile("^import (?:static )?io\\.cascade\\.(\\w+)\\.");

  @Test
  void everyPackageIsALayerAndDependsOnlyOnEarlierOnes() throws IOException {
    List<String> wrong = new ArrayList<>();
    try (Stream<Path> files = Files.walk(SOURCES)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
        String layer = SOURCES.relativize(file).getName(0).toString();
        if (!LAYERS.contains(layer)) {
          wrong.add(file + ": package " + layer + " is not in the list of layers");
          continue;
        }
        for (String line : Files.readAllLines(file)) {
          Matcher imported = IMPORT.matcher(line);
          if (imported.find() && LAYERS.indexOf(imported.group(1)) > LAYERS.indexOf(layer)) {
            wrong.add(file + " (" + layer + ") imports " + imported.group(1));
          }
        }
      }
    }
    assertThat(wrong).isEmpty();
  }
}
