package io.cascade.channel.simulator;

import io.cascade.api.ApiException;
import io.cascade.channel.Channel;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.LinkedHashMap;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Admin API that switches the behaviour of each channel's simulator at runtime. */
@Path("/admin/v1/simulator")
@Tag(name = "Admin")
@SecurityRequirement(name = "adminToken")
@Produces(MediaType.APPLICATION_JSON)
public class SimulatorResource {

  private final SimulatorProvider simulator;

  SimulatorResource(SimulatorProvider simulator) {
    this.simulator = simulator;
  }

  @GET
  @Operation(summary = "Current simulator settings of every channel")
  public Map<String, SimulatorSettings> list() {
    Map<String, SimulatorSettings> all = new LinkedHashMap<>();
    for (Channel channel : Channel.values()) {
      all.put(channel.id(), simulator.settings(channel));
    }
    return all;
  }

  @PUT
  @Path("/{channel}")
  @Consumes(MediaType.APPLICATION_JSON)
  @Operation(summary = "Switch how one channel's simulator answers")
  @APIResponse(responseCode = "204", description = "Applied to the next attempts")
  @APIResponse(responseCode = "400", description = "Invalid settings")
  @APIResponse(responseCode = "404", description = "Unknown channel")
  public void configure(
      @PathParam("channel") String channel, @NotNull @Valid SimulatorSettings settings) {
    Channel target =
        Channel.fromId(channel)
            .orElseThrow(
                () ->
                    ApiException.notFound(
                        "Unknown channel '" + channel + "': use " + Channel.NAMES));
    simulator.configure(target, settings);
  }
}
