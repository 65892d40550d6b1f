/** The readiness checks of an app: each resolves to a terminus HealthIndicatorResult. */
export const READINESS_CHECKS = Symbol('READINESS_CHECKS');
