package io.cascade.outbound;

import io.netty.channel.ConnectTimeoutException;
import io.vertx.core.http.HttpClosedException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLException;

/**
 * A call to a tenant's URL that got no answer, classified: the tenant sees {@link #code}, never the
 * socket's own message, so the errors cannot be read as a map of the network around the service.
 */
public final class OutboundFailure extends RuntimeException {

  private final String code;

  private OutboundFailure(String code, Throwable cause) {
    super(code, cause, false, false);
    this.code = code;
  }

  /**
   * {@code timeout}, {@code connection_refused}, {@code connection_reset}, {@code
   * connection_closed}, {@code tls_error}, {@code unreachable}, {@code dns_error} or {@code
   * connection_failed}.
   */
  public String code() {
    return code;
  }

  static OutboundFailure of(Throwable failure) {
    return new OutboundFailure(classify(failure), failure);
  }

  /** The code for {@code failure}, judged by it and its causes. */
  public static String classify(Throwable failure) {
    for (Throwable e = failure; e != null; e = e.getCause() == e ? null : e.getCause()) {
      if (e instanceof TimeoutException
          || e instanceof ConnectTimeoutException
          || e instanceof io.netty.handler.timeout.TimeoutException) {
        return "timeout";
      }
      if (e instanceof SSLException) {
        return "tls_error";
      }
      if (e instanceof NoRouteToHostException) {
        return "unreachable";
      }
      if (e instanceof UnknownHostException) {
        return "dns_error";
      }
      if (e instanceof ConnectException) {
        return message(e).contains("refused") ? "connection_refused" : "connection_failed";
      }
      if (e instanceof HttpClosedException) {
        return "connection_closed";
      }
      if (message(e).contains("reset by peer")) {
        return "connection_reset";
      }
      if (message(e).contains("connection was closed")) {
        return "connection_closed";
      }
    }
    return "connection_failed";
  }

  private static String message(Throwable e) {
    return e.getMessage() == null ? "" : e.getMessage().toLowerCase(Locale.ROOT);
  }
}
