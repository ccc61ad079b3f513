package io.cascade.channel.simulator;

import static io.cascade.support.TestApi.admin;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import io.cascade.support.TestApi;
import io.quarkus.test.junit.QuarkusTest;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The admin API that switches simulator behaviour. */
@QuarkusTest
class SimulatorResourceTest {

  @AfterEach
  void reset() {
    TestApi.resetProviders();
  }

  @Test
  void switchesOneChannelAndShowsIt() {
    admin()
        .body(Map.of("mode", "reject", "latencyMs", 20))
        .put("/admin/v1/simulator/push")
        .then()
        .statusCode(204);

    admin()
        .get("/admin/v1/simulator")
        .then()
        .statusCode(200)
        .body("push.mode", equalTo("reject"))
        .body("push.latencyMs", equalTo(20))
        .body("sms.mode", equalTo("ok"));
  }

  @Test
  void unknownChannelIsA404() {
    admin()
        .body(Map.of("mode", "ok"))
        .put("/admin/v1/simulator/fax")
        .then()
        .statusCode(404)
        .contentType("application/problem+json");
  }

  @Test
  void invalidSettingsAreA400() {
    admin()
        .body(Map.of("mode", "explode"))
        .put("/admin/v1/simulator/sms")
        .then()
        .statusCode(400)
        .body("errors.field", hasItem("mode"));
    admin()
        .body(Map.of("mode", "ok", "latencyMs", -1))
        .put("/admin/v1/simulator/sms")
        .then()
        .statusCode(400)
        .body("errors.field", hasItem("latencyMs"));
  }
}
