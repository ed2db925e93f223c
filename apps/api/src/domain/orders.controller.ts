import { Controller, Get, Inject, Param, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { RequireScopes } from '../../../../libs/auth/src';
import { ApiBerthAuth, ApiErrorResponses, GUARDED_ERRORS } from '../../../../libs/common/src';
import { DomainReadService, refuseExpand } from '../../../../libs/catalog/src';
import { ORDERS_READABLE } from '../../../../libs/catalog/src/registry/commerce';

/** Orders by orderNumber (`GET /{projectKey}/orders/order-number={orderNumber}`), beside the generic order read routes. */
@ApiTags('Imported resources')
@ApiBerthAuth()
@Controller(':projectKey/orders')
export class OrdersController {
  constructor(@Inject(DomainReadService) private readonly read: DomainReadService) {}

  @Get('order-number=:orderNumber')
  @RequireScopes('view_orders', 'manage_orders')
  @ApiOperation({ summary: 'Get an Order by orderNumber', description: 'Scope: view_orders or manage_orders.' })
  @ApiParam({ name: 'orderNumber', description: 'The orderNumber of an imported order' })
  @ApiOkResponse({ description: 'The Order with this orderNumber' })
  @ApiErrorResponses(...GUARDED_ERRORS, 404)
  byOrderNumber(@Param('projectKey') projectKey: string, @Param('orderNumber') orderNumber: string, @Query() query: Record<string, unknown>) {
    refuseExpand(query);
    return this.read.byNaturalKey(ORDERS_READABLE, projectKey, orderNumber);
  }
}
