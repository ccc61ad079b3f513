package io.cascade.tenant;

import java.util.UUID;

/**
 * A tenant this replica knew as disabled is enabled again (here or on another replica): its held
 * messages are to be published. Fired on every replica, so whoever holds them releases them.
 */
public record TenantEnabled(UUID tenantId) {}
