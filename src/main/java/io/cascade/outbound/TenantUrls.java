package io.cascade.outbound;

import io.cascade.api.ApiException;
import io.cascade.api.Problem;
import io.quarkus.runtime.Startup;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Optional;

/**
 * Checks a URL a tenant chose before it is stored and again before every call: the scheme is
 * allowed, and every address its host resolves to is public or allowlisted. The call then goes to
 * the address checked ({@link Target#address}), so a name that resolves differently a moment later
 * (DNS rebinding) cannot steer it elsewhere.
 */
@ApplicationScoped
@Startup // a malformed allowlist stops the service at start, not at the first webhook
public class TenantUrls {

  /** A URL cleared for a call: connect to {@code address}, send {@code host} as the Host header. */
  public record Target(URI uri, String host, int port, boolean tls, InetAddress address) {

    /** The request target: path and query as written, {@code /} when there is no path. */
    public String requestUri() {
      String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
      return uri.getRawQuery() == null ? path : path + "?" + uri.getRawQuery();
    }
  }

  private final OutboundConfig config;
  private final AddressPolicy policy;
  private final HostResolver resolver;

  TenantUrls(OutboundConfig config, HostResolver resolver) {
    this.config = config;
    this.policy = AddressPolicy.allowing(config.allow().orElse(List.of()));
    this.resolver = resolver;
  }

  /** The URL cleared for a call; fails with {@link RefusedUrl} saying why not. */
  public Uni<Target> check(String url) {
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      return refused(RefusedUrl.INVALID_URL, "is not a URL");
    }
    String scheme =
        uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(java.util.Locale.ROOT);
    boolean tls = scheme.equals("https");
    if (!tls && !(scheme.equals("http") && config.allowHttp())) {
      return refused(
          RefusedUrl.SCHEME_NOT_ALLOWED,
          scheme.equals("http")
              ? "must be https (plain http is not allowed here)"
              : "must be an https URL");
    }
    String host = uri.getHost();
    if (host == null) {
      return refused(RefusedUrl.INVALID_URL, "has no host");
    }
    int port = uri.getPort() >= 0 ? uri.getPort() : tls ? 443 : 80;
    Optional<InetAddress> literal;
    try {
      literal = IpLiterals.parse(host);
    } catch (IllegalArgumentException e) {
      return refused(RefusedUrl.INVALID_URL, "has an invalid address: " + e.getMessage());
    }
    if (literal.isPresent()) {
      return cleared(uri, host, port, tls, List.of(literal.get()));
    }
    return resolver
        .resolve(host)
        .onFailure()
        .transform(e -> new RefusedUrl(RefusedUrl.DNS_ERROR, "host " + host + " does not resolve"))
        .flatMap(addresses -> cleared(uri, host, port, tls, addresses));
  }

  /**
   * Checks {@code url}, a request's field {@code field}, before it is stored; fails with a {@code
   * 422} naming the field when the URL would be refused.
   */
  public Uni<Void> requireCallable(String field, String url) {
    return check(url)
        .replaceWithVoid()
        .onFailure(RefusedUrl.class)
        .transform(
            e ->
                ApiException.unprocessable(
                    "url-refused",
                    "Cascade calls only public https addresses (docs/security.md).",
                    List.of(new Problem.FieldError(field, e.getMessage()))));
  }

  /** The first address, once all of them passed: one blocked address refuses the host. */
  private Uni<Target> cleared(
      URI uri, String host, int port, boolean tls, List<InetAddress> addresses) {
    if (!policy.allowsHost(host)) {
      for (InetAddress address : addresses) {
        Optional<String> refusal = policy.refusal(address);
        if (refusal.isPresent()) {
          String detail =
              IpLiterals.looksLikeAddress(host)
                  ? "may not be called: " + refusal.get()
                  : "host " + host + " may not be called: " + refusal.get();
          return refused(RefusedUrl.BLOCKED_ADDRESS, detail);
        }
      }
    }
    return Uni.createFrom().item(new Target(uri, host, port, tls, addresses.get(0)));
  }

  private static <T> Uni<T> refused(String code, String detail) {
    return Uni.createFrom().failure(new RefusedUrl(code, detail));
  }
}
