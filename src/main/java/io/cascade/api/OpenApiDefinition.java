package io.cascade.api;

import jakarta.ws.rs.core.Application;
import org.eclipse.microprofile.openapi.annotations.OpenAPIDefinition;
import org.eclipse.microprofile.openapi.annotations.enums.SecuritySchemeType;
import org.eclipse.microprofile.openapi.annotations.info.Info;
import org.eclipse.microprofile.openapi.annotations.security.SecurityScheme;
import org.eclipse.microprofile.openapi.annotations.security.SecuritySchemes;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** The OpenAPI document's header: title and the two bearer schemes (tenant key, admin token). */
@OpenAPIDefinition(
    info = @Info(title = "Cascade API", version = "0.1.0"),
    tags = {
      @Tag(name = "Messages", description = "Send messages and follow their delivery"),
      @Tag(name = "Admin", description = "Tenants and simulators; needs the admin token")
    })
@SecuritySchemes({
  @SecurityScheme(
      securitySchemeName = "apiKey",
      type = SecuritySchemeType.HTTP,
      scheme = "bearer",
      description = "The tenant's API key"),
  @SecurityScheme(
      securitySchemeName = "adminToken",
      type = SecuritySchemeType.HTTP,
      scheme = "bearer",
      description = "The admin token (CASCADE_ADMIN_TOKEN)")
})
public class OpenApiDefinition extends Application {}
