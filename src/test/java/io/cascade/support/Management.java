package io.cascade.support;

import io.restassured.RestAssured;
import io.restassured.specification.RequestSpecification;
import org.eclipse.microprofile.config.ConfigProvider;

/** Requests to the management interface: health, metrics, OpenAPI (not on the API's port). */
public final class Management {

  private Management() {}

  /** The management interface's port in tests ({@code quarkus.management.test-port}). */
  public static int port() {
    return ConfigProvider.getConfig()
        .getOptionalValue("quarkus.management.test-port", Integer.class)
        .orElse(9001);
  }

  public static RequestSpecification given() {
    return RestAssured.given().port(port());
  }
}
