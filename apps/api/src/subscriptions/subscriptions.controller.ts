import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query, Req } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { AuthenticatedRequest } from '../../../../libs/auth/src/auth.guard';
import { RequireScopes } from '../../../../libs/auth/src/scopes.decorator';
import { ApiBerthAuth, ApiErrorResponses, ApiPagingQuery, BODY_ERRORS, GUARDED_ERRORS } from '../../../../libs/common/src';
import {
  CreatedSubscriptionView,
  DeliveryPagedView,
  SORTABLE_DELIVERY_FIELDS,
  SORTABLE_SUBSCRIPTION_FIELDS,
  SubscriptionDraftDto,
  SubscriptionPagedView,
  SubscriptionsService,
  SubscriptionUpdateDraftDto,
  SubscriptionView,
} from '../../../../libs/webhooks/src';

const SUBSCRIPTION_KEY = { name: 'subscriptionKey', description: 'The subscription key (^[A-Za-z0-9_-]+$, 2..256)' };

/** Webhook subscriptions (Berth, beyond commercetools: SPEC section 8, docs/WEBHOOKS.md). */
@ApiTags('Subscriptions')
@ApiBerthAuth()
@Controller(':projectKey/subscriptions')
export class SubscriptionsController {
  constructor(private readonly subscriptions: SubscriptionsService) {}

  @Post()
  @RequireScopes('manage_import_containers')
  @ApiOperation({
    summary: 'Create a webhook subscription',
    description:
      'Events of the listed types recorded from now on are POSTed to `url`, signed with `secret` (`Berth-Signature`). The secret (given, or generated) is returned only in this response. ' +
      '400 DuplicateField when the key exists, InvalidField for a non-http(s) or disallowed URL or an unknown event type. Scope: manage_import_containers.',
  })
  @ApiCreatedResponse({ type: CreatedSubscriptionView })
  @ApiErrorResponses(...GUARDED_ERRORS, ...BODY_ERRORS)
  create(@Param('projectKey') projectKey: string, @Body() draft: SubscriptionDraftDto, @Req() request: AuthenticatedRequest): Promise<CreatedSubscriptionView> {
    return this.subscriptions.create(projectKey, draft, request.principal?.clientId);
  }

  @Get()
  @RequireScopes('manage_import_containers', 'view_import_containers')
  @ApiOperation({ summary: 'Query webhook subscriptions (paged)', description: 'Scope: manage_import_containers or view_import_containers.' })
  @ApiPagingQuery(Object.keys(SORTABLE_SUBSCRIPTION_FIELDS))
  @ApiOkResponse({ type: SubscriptionPagedView })
  @ApiErrorResponses(...GUARDED_ERRORS)
  query(@Param('projectKey') projectKey: string, @Query() query: Record<string, unknown>): Promise<SubscriptionPagedView> {
    return this.subscriptions.query(projectKey, query);
  }

  @Get(':subscriptionKey')
  @RequireScopes('manage_import_containers', 'view_import_containers')
  @ApiOperation({ summary: 'Get a webhook subscription by key', description: 'Never includes the secret. Scope: manage_import_containers or view_import_containers.' })
  @ApiParam(SUBSCRIPTION_KEY)
  @ApiOkResponse({ type: SubscriptionView })
  @ApiErrorResponses(...GUARDED_ERRORS, 404)
  get(@Param('projectKey') projectKey: string, @Param('subscriptionKey') key: string): Promise<SubscriptionView> {
    return this.subscriptions.get(projectKey, key);
  }

  @Put(':subscriptionKey')
  @RequireScopes('manage_import_containers')
  @ApiOperation({
    summary: 'Update a webhook subscription (versioned)',
    description:
      'Replaces `url` and `events`; `enabled` when given. Re-enabling resets the failure count, retries the queued deliveries at once and continues with events recorded from then on. ' +
      '409 ConcurrentModification when `version` is not the current one. Scope: manage_import_containers.',
  })
  @ApiParam(SUBSCRIPTION_KEY)
  @ApiOkResponse({ type: SubscriptionView })
  @ApiErrorResponses(...GUARDED_ERRORS, 404, 409, ...BODY_ERRORS)
  update(
    @Param('projectKey') projectKey: string,
    @Param('subscriptionKey') key: string,
    @Body() draft: SubscriptionUpdateDraftDto,
    @Req() request: AuthenticatedRequest,
  ): Promise<SubscriptionView> {
    return this.subscriptions.update(projectKey, key, draft, request.principal?.clientId);
  }

  @Delete(':subscriptionKey')
  @HttpCode(200)
  @RequireScopes('manage_import_containers')
  @ApiOperation({ summary: 'Delete a webhook subscription and its delivery log', description: 'Scope: manage_import_containers.' })
  @ApiParam(SUBSCRIPTION_KEY)
  @ApiOkResponse({ type: SubscriptionView })
  @ApiErrorResponses(...GUARDED_ERRORS, 404)
  delete(@Param('projectKey') projectKey: string, @Param('subscriptionKey') key: string, @Req() request: AuthenticatedRequest): Promise<SubscriptionView> {
    return this.subscriptions.delete(projectKey, key, request.principal?.clientId);
  }

  @Get(':subscriptionKey/deliveries')
  @RequireScopes('manage_import_containers', 'view_import_containers')
  @ApiOperation({
    summary: 'The delivery log of a webhook subscription (paged, newest event first)',
    description: 'One entry per event queued for the subscription: attempts, last status code and error, next attempt, delivery time. Scope: manage_import_containers or view_import_containers.',
  })
  @ApiParam(SUBSCRIPTION_KEY)
  @ApiPagingQuery(Object.keys(SORTABLE_DELIVERY_FIELDS))
  @ApiOkResponse({ type: DeliveryPagedView })
  @ApiErrorResponses(...GUARDED_ERRORS, 404)
  deliveries(@Param('projectKey') projectKey: string, @Param('subscriptionKey') key: string, @Query() query: Record<string, unknown>): Promise<DeliveryPagedView> {
    return this.subscriptions.deliveries(projectKey, key, query);
  }
}
