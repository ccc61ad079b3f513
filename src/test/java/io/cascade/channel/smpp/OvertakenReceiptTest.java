package io.cascade.channel.smpp;

import static io.cascade.support.TestApi.awaitStatus;
import static io.cascade.support.TestApi.send;
import static io.cascade.support.TestApi.step;
import static org.assertj.core.api.Assertions.assertThat;

import io.cascade.support.TestApi;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * A receipt that overtakes the SMSC's answer to its submit is applied as soon as that answer is
 * stored, not at the matcher's next try: here the matcher runs once an hour, so only the stored
 * answer can bring these messages to {@code delivered}.
 */
@QuarkusTest
@TestProfile(OvertakenReceiptTest.MatcherOnceAnHour.class)
@WithTestResource(ReceiptDurabilityTest.OneSmsc.class)
class OvertakenReceiptTest {

  public static class MatcherOnceAnHour implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of("cascade.receipts.match-interval", "1h");
    }
  }

  @Test
  void receiptsSentBeforeTheSubmitResponseAreAppliedOnceTheResponseIsStored() {
    String key = TestApi.newTenant().key();
    // +49172...: the SMSC sends the receipt before it answers the submit.
    List<String> ids =
        IntStream.range(0, 3)
            .mapToObj(
                i ->
                    send(
                        key,
                        Map.of(
                            "route",
                            List.of(step("sms", "+4917200000" + i)),
                            "text",
                            "Your code is 12345" + i)))
            .toList();

    for (String id : ids) {
      JsonPath message = awaitStatus(key, id, "delivered", Duration.ofSeconds(10));
      assertThat(message.getString("attempts[0].status")).isEqualTo("delivered");
    }
  }
}
