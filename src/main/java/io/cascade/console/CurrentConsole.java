package io.cascade.console;

import jakarta.enterprise.context.RequestScoped;

/** The console session the current request was signed in with. */
@RequestScoped
public class CurrentConsole {

  private ConsoleSession session;
  private String token;

  void set(ConsoleSession session, String token) {
    this.session = session;
    this.token = token;
  }

  /** The session; console endpoints are reached only after {@link ConsoleGuard} found one. */
  public ConsoleSession session() {
    if (session == null) {
      throw new IllegalStateException("request was not signed in to the console");
    }
    return session;
  }

  String token() {
    return token;
  }
}
