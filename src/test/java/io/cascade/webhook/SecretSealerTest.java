package io.cascade.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Base64;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class SecretSealerTest {

  private static final String SECRET = "whsec_" + "s".repeat(43);
  private static final UUID TENANT = UUID.randomUUID();

  private static String key(String id) {
    byte[] bytes = new byte[32];
    new java.security.SecureRandom().nextBytes(bytes);
    return id + ":" + Base64.getEncoder().encodeToString(bytes);
  }

  @Test
  void aSealedSecretOpensAndDoesNotShow() throws Exception {
    SecretSealer sealer = new SecretSealer(List.of(key("k1")));
    String stored = sealer.seal(TENANT, SECRET);
    assertThat(stored).startsWith("sealed:k1:").doesNotContain("whsec_").hasSizeLessThan(256);
    assertThat(sealer.open(TENANT, stored)).isEqualTo(SECRET);
    assertThat(sealer.seal(TENANT, SECRET)).as("a new nonce each time").isNotEqualTo(stored);
    assertThat(sealer.isCurrent(stored)).isTrue();
  }

  @Test
  void anotherTenantsRowOrAnAlteredOneDoesNotOpen() {
    SecretSealer sealer = new SecretSealer(List.of(key("k1")));
    String stored = sealer.seal(TENANT, SECRET);
    assertThatThrownBy(() -> sealer.open(UUID.randomUUID(), stored))
        .isInstanceOf(SecretSealer.Unreadable.class);
    char last = stored.charAt(stored.length() - 1);
    String altered = stored.substring(0, stored.length() - 1) + (last == 'A' ? 'B' : 'A');
    assertThatThrownBy(() -> sealer.open(TENANT, altered))
        .isInstanceOf(SecretSealer.Unreadable.class);
    assertThatThrownBy(() -> sealer.open(TENANT, "sealed:k1:"))
        .isInstanceOf(SecretSealer.Unreadable.class);
  }

  @Test
  void aNewKeyFirstSealsWhileTheOldOneStillOpens() throws Exception {
    String old = key("old");
    String stored = new SecretSealer(List.of(old)).seal(TENANT, SECRET);
    SecretSealer rotated = new SecretSealer(List.of(key("new"), old));
    assertThat(rotated.open(TENANT, stored)).isEqualTo(SECRET);
    assertThat(rotated.isCurrent(stored)).isFalse();
    assertThat(rotated.seal(TENANT, SECRET)).startsWith("sealed:new:");
    SecretSealer oldRemoved = new SecretSealer(List.of(key("new")));
    assertThatThrownBy(() -> oldRemoved.open(TENANT, stored))
        .isInstanceOf(SecretSealer.Unreadable.class)
        .hasMessageContaining("not configured");
  }

  @Test
  void withoutKeysSecretsAreStoredAsTheyAreAndOldOnesStillRead() throws Exception {
    SecretSealer none = new SecretSealer(List.of());
    assertThat(none.seals()).isFalse();
    assertThat(none.seal(TENANT, SECRET)).isEqualTo(SECRET);
    assertThat(new SecretSealer(List.of(key("k1"))).open(TENANT, SECRET))
        .as("stored before sealing")
        .isEqualTo(SECRET);
  }

  @Test
  void aMalformedKeyStopsTheStart() {
    for (String entry :
        List.of(
            "nokey",
            ":" + Base64.getEncoder().encodeToString(new byte[32]),
            "k1:" + Base64.getEncoder().encodeToString(new byte[16]),
            "k1:not base64!",
            "bad id:" + Base64.getEncoder().encodeToString(new byte[32]))) {
      assertThatThrownBy(() -> new SecretSealer(List.of(entry)))
          .as(entry)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("cascade.webhooks.secret-keys");
    }
    String twice = key("k1");
    assertThatThrownBy(() -> new SecretSealer(List.of(twice, twice)))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
