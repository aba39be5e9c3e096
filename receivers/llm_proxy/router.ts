// Turns the model an agent asks for into an ordered list of targets to try.
//
// - A route alias (routes[].model) gives its targets, ordered by the route's strategy; the targets
//   after the first are the fallbacks for every strategy.
// - "provider/model" naming a configured provider goes straight to that provider and model (one
//   target, no fallback), for agents without a `models` allow-list.
// - Anything else is 404 model_not_found.
import type { AgentConfig, PriceConfig, ProviderConfig, RouteConfig, Strategy, TargetConfig, Tier } from './config.ts';
import { ProxyError } from './errors.ts';

export interface ResolvedTarget extends TargetConfig {
  kind: ProviderConfig['kind'];
}

export interface RoutePlan {
  /** The route alias, or "provider/model" for a direct call. */
  route: string;
  strategy: Strategy | 'direct';
  targets: ResolvedTarget[];
  /** by_complexity only: the tier the estimate picked. */
  tier?: Tier;
}

export class Router {
  constructor(
    private readonly routes: Map<string, RouteConfig>,
    private readonly providers: Map<string, ProviderConfig>,
    private readonly prices: Map<string, PriceConfig>,
    private readonly random: () => number = Math.random,
  ) {}

  /** Models an agent may ask for by alias (GET /v1/models). */
  aliasesFor(agent: AgentConfig): string[] {
    return agent.models ?? [...this.routes.keys()];
  }

  /** `complexity` is asked only for by_complexity routes. */
  plan(model: string, agent: AgentConfig, complexity: () => Tier): RoutePlan {
    const route = this.routes.get(model);
    if (route) {
      if (agent.models && !agent.models.includes(model)) {
        throw new ProxyError(403, 'permission_error', 'model_not_allowed', `agent "${agent.id}" may not use model "${model}" (allowed: ${agent.models.join(', ')})`);
      }
      return this.order(route, complexity);
    }
    const slash = model.indexOf('/');
    const provider = slash > 0 ? this.providers.get(model.slice(0, slash)) : undefined;
    if (provider && slash < model.length - 1 && !agent.models) {
      return { route: model, strategy: 'direct', targets: [{ provider: provider.name, model: model.slice(slash + 1), weight: 1, tier: 'cheap', kind: provider.kind }] };
    }
    const known = this.aliasesFor(agent);
    throw new ProxyError(
      404,
      'not_found_error',
      'model_not_found',
      `model "${model}" is not routed by agentcol: use one of ${known.join(', ') || '(no routes)'}${agent.models ? '' : ', or "provider/model" with a configured provider'}`,
    );
  }

  // Each route's targets with their provider kind, resolved once (the config does not change while
  // a receiver runs); strategies that reorder copy the array.
  private readonly resolved = new Map<RouteConfig, readonly ResolvedTarget[]>();

  private targetsOf(route: RouteConfig): ResolvedTarget[] {
    let t = this.resolved.get(route);
    if (!t) this.resolved.set(route, (t = Object.freeze(route.targets.map((x) => Object.freeze({ ...x, kind: this.providers.get(x.provider)!.kind })))));
    return t as ResolvedTarget[];
  }

  private order(route: RouteConfig, complexity: () => Tier): RoutePlan {
    const targets = this.targetsOf(route);
    switch (route.strategy) {
      case 'fallback':
        return { route: route.model, strategy: route.strategy, targets };
      case 'loadbalance': {
        const first = this.weightedPick(targets);
        const rest = targets.filter((t) => t !== first).sort((a, b) => b.weight - a.weight);
        return { route: route.model, strategy: route.strategy, targets: [first, ...rest] };
      }
      case 'cheapest': {
        const cost = (t: TargetConfig) => {
          const p = this.prices.get(t.model);
          return p ? p.input + p.output : Infinity;
        };
        return { route: route.model, strategy: route.strategy, targets: [...targets].sort((a, b) => cost(a) - cost(b)) };
      }
      case 'by_complexity': {
        const tier = complexity();
        const preferred = targets.filter((t) => t.tier === tier);
        const others = targets.filter((t) => t.tier !== tier);
        return { route: route.model, strategy: route.strategy, targets: [...preferred, ...others], tier };
      }
    }
  }

  private weightedPick(targets: ResolvedTarget[]): ResolvedTarget {
    const total = targets.reduce((s, t) => s + t.weight, 0);
    let r = this.random() * total;
    for (const t of targets) {
      if (t.weight <= 0) continue;
      r -= t.weight;
      if (r < 0) return t;
    }
    return targets.find((t) => t.weight > 0)!;
  }
}
