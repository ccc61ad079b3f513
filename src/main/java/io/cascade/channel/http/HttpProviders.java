package io.cascade.channel.http;

import io.cascade.channel.ProviderException;
import io.cascade.channel.ProvidersConfig.ProviderSettings;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.core.buffer.Buffer;
import io.vertx.mutiny.ext.web.client.HttpResponse;
import io.vertx.mutiny.ext.web.client.WebClient;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * What the HTTP providers (Twilio, WhatsApp, FCM) share: a non-blocking client bounded by the
 * provider's {@code timeout}, tolerant reading of error bodies, and webhook signature checks.
 */
public final class HttpProviders {

  /**
   * Connections per host: as many as sends can be in flight at the default dispatch concurrency, so
   * that sends do not queue for a connection.
   */
  private static final int MAX_CONNECTIONS = 32;

  private HttpProviders() {}

  /**
   * A client whose connect and idle timeouts are the provider's {@code timeout}, so that a stuck
   * connection is given up about when the provider's guard stops waiting for it.
   */
  public static WebClient client(Vertx vertx, ProviderSettings settings) {
    int timeout = (int) Math.max(1, settings.timeout().toMillis());
    return WebClient.create(
        vertx,
        new WebClientOptions()
            .setUserAgent("cascade")
            .setMaxPoolSize(MAX_CONNECTIONS)
            .setConnectTimeout(timeout)
            .setIdleTimeout(timeout)
            .setIdleTimeoutUnit(TimeUnit.MILLISECONDS));
  }

  /** {@code base} and {@code path} joined with exactly one slash. */
  public static String join(URI base, String path) {
    String prefix = base.toString();
    while (prefix.endsWith("/")) {
      prefix = prefix.substring(0, prefix.length() - 1);
    }
    return prefix + path;
  }

  /** The body as a JSON object; empty when there is none or it is not JSON (e.g. a proxy page). */
  public static JsonObject json(HttpResponse<Buffer> response) {
    String body = response.bodyAsString();
    if (body == null || body.isBlank()) {
      return new JsonObject();
    }
    try {
      return new JsonObject(body);
    } catch (RuntimeException notAnObject) {
      return new JsonObject();
    }
  }

  /**
   * A transport failure (refused or reset connection, timeout, TLS) as a transient provider
   * failure; a {@link ProviderException} passes unchanged.
   */
  public static ProviderException transientFailure(String provider, Throwable failure) {
    if (failure instanceof ProviderException known) {
      return known;
    }
    String why = failure.getMessage() != null ? failure.getMessage() : failure.toString();
    return new ProviderException(provider + ": " + why);
  }

  /** HMAC of {@code data} with {@code secret} ({@code HmacSHA1}, {@code HmacSHA256}). */
  public static byte[] hmac(String algorithm, String secret, byte[] data) {
    try {
      Mac mac = Mac.getInstance(algorithm);
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), algorithm));
      return mac.doFinal(data);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(algorithm + " is not available", e);
    }
  }

  /** Compares in constant time, so that timing tells an attacker nothing about the secret. */
  public static boolean sameText(String expected, String given) {
    return given != null
        && MessageDigest.isEqual(
            expected.getBytes(StandardCharsets.UTF_8), given.getBytes(StandardCharsets.UTF_8));
  }
}
