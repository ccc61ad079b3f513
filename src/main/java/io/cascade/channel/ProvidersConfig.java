package io.cascade.channel;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithDefaults;
import io.smallrye.config.WithParentName;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * The named providers under {@code cascade.provider."<name>".*}: their type, standby mode, fault
 * tolerance budget and protocol settings. A provider named {@code simulator} needs no entry: it is
 * the built-in simulator with the defaults below. docs/providers.md describes every key.
 */
@ConfigMapping(prefix = "cascade.provider")
public interface ProvidersConfig {

  /** Every provider by name; a name without keys reads as all defaults (and no type). */
  @WithParentName
  @WithDefaults
  Map<String, ProviderSettings> all();

  /** One provider. */
  interface ProviderSettings {

    /**
     * {@code simulator}, {@code smtp}, {@code smpp}, {@code twilio}, {@code whatsapp} or {@code
     * fcm}.
     */
    Optional<String> type();

    /** How it stands by for traffic: see {@link Standby}. */
    @WithDefault("hot")
    Standby standby();

    /** Share of the traffic among the hot providers of its channel. */
    @WithDefault("1")
    int weight();

    /** Longest wait for one answer; the attempt then counts as a transient failure. */
    @WithDefault("3s")
    Duration timeout();

    /** Further tries of this provider after a transient failure, before the next provider. */
    @WithDefault("2")
    int retries();

    /** First pause between tries; it doubles with every try, with up to half of it as jitter. */
    @WithDefault("200ms")
    Duration retryDelay();

    CircuitBreakerSettings circuitBreaker();

    Optional<SmppSettings> smpp();

    Optional<TwilioSettings> twilio();

    Optional<WhatsAppSettings> whatsapp();

    Optional<FcmSettings> fcm();
  }

  /** The provider's own circuit breaker: while open, the provider is tried last. */
  interface CircuitBreakerSettings {
    /** Calls looked at to decide whether to open. */
    @WithDefault("20")
    int requestVolume();

    /** Share of failed calls among them that opens the circuit. */
    @WithDefault("0.5")
    double failureRatio();

    /** How long the circuit stays open before a trial call. */
    @WithDefault("10s")
    Duration delay();

    /** Successful trial calls that close it again. */
    @WithDefault("2")
    int successThreshold();
  }

  /** An SMSC reached over SMPP 3.4 (type {@code smpp}). */
  interface SmppSettings {
    String host();

    @WithDefault("2775")
    int port();

    /** The ESME's system_id; the password comes from the environment. */
    String systemId();

    Optional<String> password();

    Optional<String> systemType();

    /** Sender address (short code, alphanumeric name or number). */
    String sourceAddress();

    /** Interval of {@code enquire_link} heartbeats while bound. */
    @WithDefault("30s")
    Duration enquireLink();

    /** First pause before a rebind after the session is lost; doubles up to the maximum. */
    @WithDefault("1s")
    Duration rebindDelay();

    @WithDefault("30s")
    Duration rebindMaxDelay();

    /** Most {@code submit_sm} awaiting their response at once. */
    @WithDefault("32")
    int window();

    /** Most {@code submit_sm} per second on the session; 0 = no limit. */
    @WithDefault("0")
    int throughput();

    /**
     * Threads that take {@code deliver_sm} off the socket and store receipts; each waits for the
     * commit of the batch its receipt joined, so more of them make bigger batches (64 applied 966
     * receipts/s end to end where 16 applied 860/s, bench/throughput/run.sh --smpp).
     */
    @WithDefault("64")
    int receiptWorkers();

    /** PDUs that may wait for those threads; sized so that a burst of receipts is never refused. */
    @WithDefault("10000")
    int receiptQueue();
  }

  /** A Twilio-compatible SMS API (type {@code twilio}). */
  interface TwilioSettings {
    @WithDefault("https://api.twilio.com")
    URI baseUrl();

    String accountSid();

    /** The auth token signs status callbacks too; from the environment only. */
    String authToken();

    /** Sender number or messaging service. */
    String from();

    /** Public URL of Cascade's status-callback endpoint for this provider, as Twilio calls it. */
    Optional<URI> statusCallbackUrl();
  }

  /** The WhatsApp Business Cloud API (type {@code whatsapp}). */
  interface WhatsAppSettings {
    @WithDefault("https://graph.facebook.com")
    URI baseUrl();

    @WithDefault("v21.0")
    String version();

    String phoneNumberId();

    /** Bearer token of the business account; from the environment only. */
    String accessToken();

    /** Signs the status webhook ({@code X-Hub-Signature-256}); from the environment only. */
    String appSecret();

    /** Echoed in the webhook verification handshake ({@code hub.verify_token}). */
    String verifyToken();
  }

  /** Firebase Cloud Messaging HTTP v1 (type {@code fcm}). */
  interface FcmSettings {
    @WithDefault("https://fcm.googleapis.com")
    URI baseUrl();

    String projectId();

    /** The service account's {@code client_email}. */
    String clientEmail();

    /** The service account's PKCS#8 private key in PEM; from the environment only. */
    String privateKey();

    @WithDefault("https://oauth2.googleapis.com/token")
    URI tokenUri();
  }
}
