package io.cascade.api;

import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.ClosedConnectionException;
import java.net.SocketException;
import java.util.Set;

/** Tells failures caused by an unreachable or restarting database from other errors. */
public final class DatabaseFailures {

  // SQLSTATE class 08 (connection exception), the shutdown / recovery codes of class 57, too many
  // connections, and 25006 (read-only transaction): during a failover the proxy may hand over a
  // node a moment before its promotion completes, when it is still a standby.
  private static final Set<String> UNAVAILABLE_STATES =
      Set.of("57P01", "57P02", "57P03", "53300", "25006");

  private DatabaseFailures() {}

  /** Whether {@code failure}, or any of its causes, means the database cannot be reached now. */
  public static boolean isUnavailable(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      // Connection refused, reset or cut while the database restarts.
      if (t instanceof SocketException
          || t instanceof ClosedConnectionException
          || t instanceof io.netty.channel.ConnectTimeoutException) {
        return true;
      }
      if (t instanceof PgException pg
          && pg.getSqlState() != null
          && (pg.getSqlState().startsWith("08") || UNAVAILABLE_STATES.contains(pg.getSqlState()))) {
        return true;
      }
      String message = String.valueOf(t.getMessage());
      if (message.contains("Connection refused")
          || message.contains("Timeout while waiting for a connection")
          || message.contains("Connection is not active")) {
        return true;
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return false;
  }
}
