package io.cascade.tenant;

/**
 * A tenant's own limits on {@code POST /v1/messages}: null fields take the default (rate) or mean
 * none (daily quota).
 */
public record TenantLimits(Integer messagesPerSecond, Long dailyQuota) {

  /** No limits of its own. */
  public static final TenantLimits DEFAULTS = new TenantLimits(null, null);

  boolean isDefault() {
    return messagesPerSecond == null && dailyQuota == null;
  }
}
