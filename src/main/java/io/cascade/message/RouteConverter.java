package io.cascade.message;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.persistence.AttributeConverter;
import jakarta.persistence.Converter;
import java.util.List;

/** Stores a route as the JSON array the tenant sent. */
@Converter
public class RouteConverter implements AttributeConverter<List<RouteStep>, String> {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final TypeReference<List<RouteStep>> ROUTE = new TypeReference<>() {};

  @Override
  public String convertToDatabaseColumn(List<RouteStep> route) {
    try {
      return JSON.writeValueAsString(route);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("route cannot be written as JSON", e);
    }
  }

  @Override
  public List<RouteStep> convertToEntityAttribute(String json) {
    try {
      return JSON.readValue(json, ROUTE);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("stored route is not valid JSON", e);
    }
  }
}
