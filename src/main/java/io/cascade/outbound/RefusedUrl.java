package io.cascade.outbound;

/**
 * A tenant URL that is not called: its scheme is not allowed, it is malformed, its host does not
 * resolve, or it resolves to an address that is not public.
 */
public final class RefusedUrl extends RuntimeException {

  private final String code;

  RefusedUrl(String code, String detail) {
    super(detail, null, false, false);
    this.code = code;
  }

  /**
   * What the tenant sees as the delivery's error: {@code blocked_address}, {@code
   * scheme_not_allowed}, {@code invalid_url} or {@code dns_error}.
   */
  public String code() {
    return code;
  }

  /** Whether the same URL may work later (a name that does not resolve yet); the rest never do. */
  public boolean mayWorkLater() {
    return code.equals(DNS_ERROR);
  }

  static final String BLOCKED_ADDRESS = "blocked_address";
  static final String SCHEME_NOT_ALLOWED = "scheme_not_allowed";
  static final String INVALID_URL = "invalid_url";
  static final String DNS_ERROR = "dns_error";
}
