package io.cascade.channel.email;

import static io.cascade.support.TestApi.awaitStatus;
import static io.cascade.support.TestApi.message;
import static io.cascade.support.TestApi.send;
import static io.cascade.support.TestApi.sms;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.hasItem;

import io.cascade.support.SmtpPeer;
import io.cascade.support.TestApi;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The email channel over SMTP, against an SMTP server on loopback (see {@link SmtpPeer}). */
@QuarkusTest
@WithTestResource(SmtpPeer.class)
class EmailOverSmtpTest {

  private String key;

  @BeforeEach
  void setUp() {
    TestApi.resetProviders();
    key = TestApi.newTenant().key();
  }

  @Test
  void sendsAnEmailStepToTheSmtpServer() {
    String to = "user-" + UUID.randomUUID() + "@example.com";

    String id =
        send(
            key,
            message(List.of(Map.of("channel", "email", "to", to, "subject", "Your sign-in code"))));

    JsonPath message = awaitStatus(key, id, "sent");
    assertThat(message.getList("deliveredVia")).containsExactly("email");
    assertThat(message.getString("attempts[0].provider")).isEqualTo("smtp");
    assertThat(message.getString("attempts[0].status")).isEqualTo("sent");
    SmtpPeer.Received received =
        SmtpPeer.RECEIVED.stream()
            .filter(mail -> mail.recipients().contains(to))
            .findFirst()
            .orElseThrow();
    assertThat(received.data()).contains("Subject: Your sign-in code", "Your code is 123456");
  }

  /** A line break in the subject would start a header of the sender's choosing. */
  @Test
  void aSubjectWithALineBreakIsRefusedBeforeAnythingIsSent() {
    String to = "inject-" + UUID.randomUUID() + "@example.com";
    for (String subject : List.of("Code\nBcc: victim@example.com", "Code\r\nX-Injected: 1")) {
      TestApi.as(key)
          .contentType(ContentType.JSON)
          .body(message(List.of(Map.of("channel", "email", "to", to, "subject", subject))))
          .post("/v1/messages")
          .then()
          .statusCode(400)
          .body("errors.field", hasItem("route[0].subject"));
    }
    // A message that was accepted after them has been sent: had the refused ones gone out,
    // they would have arrived before it.
    String later = "later-" + UUID.randomUUID() + "@example.com";
    awaitStatus(
        key,
        send(key, message(List.of(Map.of("channel", "email", "to", later, "subject", "Code")))),
        "sent");
    assertThat(SmtpPeer.RECIPIENTS_OFFERED).doesNotContain(to).contains(later);
    assertThat(SmtpPeer.RECEIVED).noneMatch(mail -> mail.data().contains("victim@example.com"));
  }

  @Test
  void aRefusedRecipientIsRejectedAtOnceAndTheNextStepGoesOut() {
    String to = "reject-" + UUID.randomUUID() + "@example.com";

    String id = send(key, message(List.of(Map.of("channel", "email", "to", to), sms())));

    JsonPath message = awaitStatus(key, id, "delivered");
    assertThat(message.getList("deliveredVia")).containsExactly("sms");
    assertThat(message.getString("attempts[0].status")).isEqualTo("rejected");
    assertThat(message.getString("attempts[0].error"))
        .startsWith("rejected: smtp")
        .contains("5.1.1");
    assertThat(Collections.frequency(SmtpPeer.RECIPIENTS_OFFERED, to)).isEqualTo(1);
  }

  @Test
  void aTemporaryRefusalIsRetriedThenTheCascadeMovesOn() {
    String to = "busy-" + UUID.randomUUID() + "@example.com";

    String id = send(key, message(List.of(Map.of("channel", "email", "to", to), sms())));

    JsonPath message = awaitStatus(key, id, "delivered");
    assertThat(message.getList("deliveredVia")).containsExactly("sms");
    assertThat(message.getString("attempts[0].status")).isEqualTo("failed");
    assertThat(message.getString("attempts[0].error")).startsWith("send_error: smtp");
    // One try and the two retries of the email sender.
    assertThat(Collections.frequency(SmtpPeer.RECIPIENTS_OFFERED, to)).isEqualTo(3);
  }
}
