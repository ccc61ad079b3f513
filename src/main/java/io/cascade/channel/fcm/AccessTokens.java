package io.cascade.channel.fcm;

import io.cascade.channel.ProviderException;
import io.cascade.channel.ProvidersConfig.FcmSettings;
import io.cascade.channel.http.HttpProviders;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.core.MultiMap;
import io.vertx.mutiny.ext.web.client.WebClient;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.concurrent.CompletableFuture;

/**
 * OAuth 2.0 access tokens of a service account (the JWT bearer grant, RFC 7523): a JWT signed with
 * the account's RSA key is exchanged at the token URI for a bearer token, which is kept until
 * shortly before it expires. Concurrent sends that find no valid token share one fetch.
 */
final class AccessTokens {

  static final String SCOPE = "https://www.googleapis.com/auth/firebase.messaging";
  static final String GRANT_TYPE = "urn:ietf:params:oauth:grant-type:jwt-bearer";

  /** Lifetime asked for in the JWT; Google grants at most an hour. */
  private static final Duration JWT_LIFETIME = Duration.ofHours(1);

  /** How long before its expiry a token is replaced, so that none expires in flight. */
  private static final Duration REFRESH_MARGIN = Duration.ofMinutes(5);

  private record Token(String value, Instant refreshAt) {}

  private final FcmSettings settings;
  private final PrivateKey key;
  private final WebClient client;
  private final long timeoutMillis;

  // Guarded by this.
  private Token current;
  private CompletableFuture<Token> fetching;

  AccessTokens(FcmSettings settings, WebClient client, long timeoutMillis) {
    this.settings = settings;
    this.key = privateKey(settings.privateKey());
    this.client = client;
    this.timeoutMillis = timeoutMillis;
  }

  /** A valid token: the cached one, or the one being fetched, or a new fetch. */
  Uni<String> get() {
    CompletableFuture<Token> fetch;
    synchronized (this) {
      if (current != null && Instant.now().isBefore(current.refreshAt())) {
        return Uni.createFrom().item(current.value());
      }
      fetch = fetching;
      if (fetch == null) {
        CompletableFuture<Token> started = fetch().subscribeAsCompletionStage();
        fetching = started;
        fetch = started;
        started.whenComplete((token, failure) -> settle(started, token));
      }
    }
    // A copy: a caller that gives up (its send timed out) must not cancel the shared fetch.
    return Uni.createFrom().completionStage(fetch.copy()).map(Token::value);
  }

  /** Forgets {@code token} (it was refused), unless a newer one replaced it already. */
  synchronized void invalidate(String token) {
    if (current != null && current.value().equals(token)) {
      current = null;
    }
  }

  private synchronized void settle(CompletableFuture<Token> fetch, Token token) {
    if (fetching == fetch) {
      fetching = null;
    }
    if (token != null) {
      current = token;
    }
  }

  private Uni<Token> fetch() {
    Instant now = Instant.now();
    return Uni.createFrom()
        .item(
            () ->
                MultiMap.caseInsensitiveMultiMap()
                    .add("grant_type", GRANT_TYPE)
                    .add("assertion", assertion(now)))
        .flatMap(
            form ->
                client
                    .postAbs(settings.tokenUri().toString())
                    .timeout(timeoutMillis)
                    .sendForm(form))
        .map(
            response -> {
              JsonObject body = HttpProviders.json(response);
              String token = body.getString("access_token");
              if (response.statusCode() != 200 || token == null) {
                throw new ProviderException(
                    "fcm: token endpoint answered HTTP "
                        + response.statusCode()
                        + (body.containsKey("error") ? " " + body.getValue("error") : ""));
              }
              Duration lifetime = Duration.ofSeconds(body.getLong("expires_in", 3600L));
              Duration keep =
                  lifetime.compareTo(REFRESH_MARGIN.multipliedBy(2)) > 0
                      ? lifetime.minus(REFRESH_MARGIN)
                      : lifetime.dividedBy(2);
              return new Token(token, now.plus(keep));
            })
        .onFailure()
        .transform(failure -> HttpProviders.transientFailure("fcm", failure));
  }

  /** The signed JWT: RS256, issued by the service account for the FCM scope. */
  String assertion(Instant now) {
    Base64.Encoder base64 = Base64.getUrlEncoder().withoutPadding();
    String header = new JsonObject().put("alg", "RS256").put("typ", "JWT").encode();
    String claims =
        new JsonObject()
            .put("iss", settings.clientEmail())
            .put("scope", SCOPE)
            .put("aud", settings.tokenUri().toString())
            .put("iat", now.getEpochSecond())
            .put("exp", now.plus(JWT_LIFETIME).getEpochSecond())
            .encode();
    String signingInput =
        base64.encodeToString(header.getBytes(StandardCharsets.UTF_8))
            + "."
            + base64.encodeToString(claims.getBytes(StandardCharsets.UTF_8));
    try {
      Signature rsa = Signature.getInstance("SHA256withRSA");
      rsa.initSign(key);
      rsa.update(signingInput.getBytes(StandardCharsets.US_ASCII));
      return signingInput + "." + base64.encodeToString(rsa.sign());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot sign the FCM token request", e);
    }
  }

  /**
   * The key of a PKCS#8 PEM ({@code -----BEGIN PRIVATE KEY-----}), as in a service account's JSON
   * file; literal {@code \n} (how the key reads when copied out of that JSON) count as line breaks.
   */
  static PrivateKey privateKey(String pem) {
    String base64 =
        pem.replace("\\n", "\n")
            .replace("-----BEGIN PRIVATE KEY-----", "")
            .replace("-----END PRIVATE KEY-----", "")
            .replaceAll("\\s", "");
    try {
      return KeyFactory.getInstance("RSA")
          .generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(base64)));
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      // Never the key itself in the message.
      throw new IllegalArgumentException("fcm.private-key is not a PKCS#8 PEM RSA private key");
    }
  }
}
