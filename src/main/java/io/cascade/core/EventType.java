package io.cascade.core;

/** What happened to a message, as its webhook event says; {@link #id()} is the event's type. */
public enum EventType {
  SENT("message.sent"),
  DELIVERED("message.delivered"),
  READ("message.read"),
  FAILOVER("message.failover"),
  FAILED("message.failed"),
  EXPIRED("message.expired");

  private final String id;

  EventType(String id) {
    this.id = id;
  }

  public String id() {
    return id;
  }
}
