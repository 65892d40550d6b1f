import { ModulesContainer } from '@nestjs/core';
import type { Module } from '@nestjs/core/injector/module.js';
import type { TestingModule } from '@nestjs/testing';

/** Modules that Nest and its packages bring; everything else in a graph is the project's own. */
const FRAMEWORK_MODULES = new Set(['InternalCoreModule', 'ConfigModule', 'ConfigHostModule', 'TerminusModule', 'ClientsModule', 'ScheduleModule', 'DiscoveryModule']);

/** The project's modules of a compiled graph, each with the name it is declared under. */
export function ownModules(moduleRef: TestingModule): Module[] {
  return [...moduleRef.get(ModulesContainer).values()].filter((m) => !FRAMEWORK_MODULES.has(m.metatype.name));
}

/**
 * Classes provided by more than one of the project's modules: each such module builds an instance of
 * its own, where the design wants one shared instance exported by one module.
 */
export function duplicateProviders(moduleRef: TestingModule): string[] {
  const hosts = new Map<Function, string[]>();
  for (const module of ownModules(moduleRef)) {
    for (const [token, wrapper] of module.providers) {
      if (typeof token !== 'function' || token === module.metatype || wrapper.host !== module) continue;
      if (!wrapper.metatype || wrapper.metatype !== token) continue;
      if (['ModuleRef', 'ApplicationConfig'].includes(token.name)) continue;
      hosts.set(token, [...(hosts.get(token) ?? []), module.metatype.name]);
    }
  }
  return [...hosts].filter(([, modules]) => modules.length > 1).map(([token, modules]) => `${token.name} in ${modules.join(', ')}`);
}

/** Import cycles between the project's modules, each as `A -> B -> A`. */
export function importCycles(moduleRef: TestingModule): string[] {
  const own = new Set(ownModules(moduleRef));
  const cycles: string[] = [];
  const done = new Set<Module>();
  const stack: Module[] = [];
  const visit = (module: Module) => {
    stack.push(module);
    for (const next of module.imports) {
      if (!own.has(next) || done.has(next)) continue;
      const at = stack.indexOf(next);
      if (at >= 0) cycles.push([...stack.slice(at), next].map((m) => m.metatype.name).join(' -> '));
      else visit(next);
    }
    stack.pop();
    done.add(module);
  };
  for (const module of own) if (!done.has(module)) visit(module);
  return cycles;
}
