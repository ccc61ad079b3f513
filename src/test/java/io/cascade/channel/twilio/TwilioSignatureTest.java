package io.cascade.channel.twilio;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The callback signature against the example in Twilio's own validation snippets. */
class TwilioSignatureTest {

  @Test
  void matchesTwilioDocumentedExample() {
    Map<String, List<String>> params =
        Map.of(
            "CallSid", List.of("CA1234567890ABCDE"),
            "Caller", List.of("+14158675310"),
            "Digits", List.of("1234"),
            "From", List.of("+14158675310"),
            "To", List.of("+18005551212"));

    String signature =
        TwilioStatusResource.sign("12345", "https://mycompany.com/myapp.php?foo=1&bar=2", params);

    assertThat(signature).isEqualTo("GvWf1cFY/Q7PnoempGyD5oXAezc=");
  }
}
