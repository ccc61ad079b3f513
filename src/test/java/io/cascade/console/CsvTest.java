package io.cascade.console;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CsvTest {

  @Test
  void fieldsWithSeparatorsQuotesOrLineBreaksAreQuoted() {
    assertThat(Csv.field("plain")).isEqualTo("plain");
    assertThat(Csv.field("a,b")).isEqualTo("\"a,b\"");
    assertThat(Csv.field("say \"hi\"")).isEqualTo("\"say \"\"hi\"\"\"");
    assertThat(Csv.field("two\nlines")).isEqualTo("\"two\nlines\"");
    assertThat(Csv.field(null)).isEmpty();
  }

  @Test
  void aFieldThatASpreadsheetWouldRunAsAFormulaIsShownAsText() {
    assertThat(Csv.field("=HYPERLINK(\"x\")")).isEqualTo("\"'=HYPERLINK(\"\"x\"\")\"");
    assertThat(Csv.field("+1")).isEqualTo("'+1");
    assertThat(Csv.field("-1")).isEqualTo("'-1");
    assertThat(Csv.field("@SUM")).isEqualTo("'@SUM");
  }
}
